import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

/*
 * Taking the person to the cell an entry was written from. In JupyterLab the
 * notebook opens as a tab of this page, and its cell is made active there. In
 * Notebook 7 every notebook has a page of its own: the sidebar opens that page
 * at `#cell-id=…` (JupyterLab's own fragment for a cell), and the plugin of the
 * new page makes that cell active once the notebook is shown.
 */

/** The URL fragment naming a cell, as JupyterLab's notebooks read it. */
export const CELL_FRAGMENT = '#cell-id=';

/** Notebook 7 (and the other one-document-a-page apps): its page names what it shows. */
export function onePagePerDocument(): boolean {
  return !!PageConfig.getOption('notebookPage');
}

/** Notebook 7's page of a notebook, at a cell. */
export function notebookPageUrl(path: string, cellId?: string): string {
  const url = URLExt.join(
    PageConfig.getBaseUrl(),
    'notebooks',
    URLExt.encodeParts(path)
  );
  return cellId ? `${url}${CELL_FRAGMENT}${encodeURIComponent(cellId)}` : url;
}

/** Make the cell `cellId` the active one and scroll it into view; false when the notebook has no such cell. */
export async function revealCell(
  panel: NotebookPanel,
  cellId: string
): Promise<boolean> {
  await panel.context.ready;
  await panel.revealed;
  const notebook = panel.content;
  const index = notebook.widgets.findIndex(c => c.model.id === cellId);
  if (index < 0) {
    return false;
  }
  notebook.activeCellIndex = index;
  await notebook.scrollToItem(index, 'center');
  return true;
}

/**
 * A page opened at a cell (`#cell-id=…`): once its notebook is there, that
 * cell is made active (Notebook 7 only scrolls to a fragment, if at all).
 * `missing` is told when the notebook no longer has the cell.
 */
export function revealFromUrl(
  tracker: INotebookTracker,
  missing: (panel: NotebookPanel) => void
): void {
  const hash = window.location.hash;
  if (!hash.startsWith(CELL_FRAGMENT)) {
    return;
  }
  const cellId = decodeURIComponent(hash.slice(CELL_FRAGMENT.length));
  let done = false;
  const reveal = (panel: NotebookPanel | null) => {
    if (done || !panel) {
      return;
    }
    done = true;
    tracker.widgetAdded.disconnect(added);
    void revealCell(panel, cellId).then(found => found || missing(panel));
  };
  const added = (_: INotebookTracker, panel: NotebookPanel) => reveal(panel);
  tracker.widgetAdded.connect(added);
  reveal(tracker.currentWidget);
}
