import { LabIcon } from '@jupyterlab/ui-components';

/** A notebook with a check mark: the journal. `jp-icon3` follows the theme. */
const journalSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M6 2h11a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H6a1 1 0 0 1-1-1v-1H4v-2h1v-3H4v-2h1V10H4V8h1V5H4V3h1a1 1 0 0 1 1-1zm1 2v16h10V4H7z"/>
    <path d="M9.2 11.6l1.4-1.4 1.6 1.6 3.2-3.2 1.4 1.4-4.6 4.6z"/>
  </g>
</svg>`;

export const journalIcon = new LabIcon({
  name: 'jupyter-expjournal:journal',
  svgstr: journalSvg
});

/** The cell toolbar's attach button: a paper clip. */
const attachSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/>
  </g>
</svg>`;

export const attachIcon = new LabIcon({
  name: 'jupyter-expjournal:attach',
  svgstr: attachSvg
});
