import * as nbformat from '@jupyterlab/nbformat';

import { IImage } from './model';

/** The image types the journal keeps, as files under experiments/assets/. */
const IMAGE_MIMES = ['image/png', 'image/jpeg', 'image/svg+xml'];

/** What a code cell showed, ready for `POST result`. */
export interface ICellOutputs {
  /** Stream text, text/plain results and tracebacks, in display order. */
  output: string;
  images: IImage[];
  /** `ename: evalue` of the first error, if the cell raised. */
  error: string;
}

// CSI sequences (colours, cursor moves) and OSC sequences (titles, links): the escape and
// bell control characters are what it matches.
/* eslint-disable no-control-regex */
const ANSI =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;
/* eslint-enable no-control-regex */

/** Terminal escapes out: tracebacks are coloured, the journal is plain text. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function joined(value: nbformat.MultilineString | undefined): string {
  if (value === undefined || value === null) {
    return '';
  }
  return Array.isArray(value) ? value.join('') : String(value);
}

/**
 * Collect a cell's outputs: stream text, results' text/plain, errors with their
 * tracebacks, and PNG/JPEG (base64) and SVG (text) figures. A result that
 * carries a figure drops its text/plain (`<Figure size 640x480 ...>`).
 */
export function collectOutputs(outputs: nbformat.IOutput[]): ICellOutputs {
  const text: string[] = [];
  const images: IImage[] = [];
  let error = '';
  const add = (piece: string) => {
    if (piece) {
      text.push(piece.endsWith('\n') ? piece : piece + '\n');
    }
  };
  for (const output of outputs) {
    if (nbformat.isStream(output)) {
      add(stripAnsi(joined(output.text)));
    } else if (nbformat.isError(output)) {
      const head = `${output.ename}: ${output.evalue}`;
      error = error || stripAnsi(head);
      const traceback = (output.traceback ?? []).map(stripAnsi).join('\n');
      add(traceback.trim() ? traceback : stripAnsi(head));
    } else if (
      nbformat.isExecuteResult(output) ||
      nbformat.isDisplayData(output)
    ) {
      const data = output.data ?? {};
      let figure = false;
      for (const mime of IMAGE_MIMES) {
        const value = data[mime];
        if (value === undefined) {
          continue;
        }
        const body = joined(value as nbformat.MultilineString);
        images.push({
          mime,
          data: mime === 'image/svg+xml' ? body : body.replace(/\s+/g, '')
        });
        figure = true;
        break; // one picture per output: PNG preferred, like the notebook shows
      }
      if (!figure && data['text/plain'] !== undefined) {
        add(stripAnsi(joined(data['text/plain'] as nbformat.MultilineString)));
      }
    }
  }
  return { output: text.join(''), images, error };
}
