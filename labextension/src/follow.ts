import { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { Widget } from '@lumino/widgets';

/*
 * Open editors follow the files the tools write. A kernel's %result, the
 * command line or the sidebar rewrite journal.md and lessons.md on disk; an
 * editor open on one of them holds the text it loaded. Unchanged (not dirty),
 * it reloads; with unsaved edits, the person is told at once, before a save
 * could overwrite what the tools wrote.
 */

/** The files the tools write, by name. */
export const FOLLOWED = ['journal.md', 'lessons.md'];
/** How often an open one is compared with the file on disk (a stat by the contents API). */
export const FOLLOW_MS = 1000;

/** What is used of a document widget's context (DocumentRegistry.IContext). */
interface IFollowedContext {
  path: string;
  isReady: boolean;
  isDisposed: boolean;
  model: { dirty: boolean };
  contentsModel: { last_modified?: string } | null;
  revert(): Promise<void>;
}

function contextOf(widget: Widget): IFollowedContext | null {
  const context = (widget as unknown as { context?: IFollowedContext }).context;
  if (
    !context ||
    typeof context.revert !== 'function' ||
    !context.isReady ||
    context.isDisposed ||
    !FOLLOWED.includes(PathExt.basename(context.path))
  ) {
    return null;
  }
  return context;
}

export class FileFollower {
  constructor(readonly app: JupyterFrontEnd) {
    this._timer = window.setInterval(() => void this._tick(), FOLLOW_MS);
  }

  dispose(): void {
    window.clearInterval(this._timer);
  }

  private async _tick(): Promise<void> {
    if (this._busy || document.visibilityState === 'hidden') {
      return;
    }
    this._busy = true;
    try {
      for (const widget of Array.from(this.app.shell.widgets('main'))) {
        const context = contextOf(widget);
        if (context) {
          await this._follow(widget, context);
        }
      }
    } finally {
      this._busy = false;
    }
  }

  private async _follow(
    widget: Widget,
    context: IFollowedContext
  ): Promise<void> {
    const known = context.contentsModel?.last_modified;
    let onDisk: string | undefined;
    try {
      const model = await this.app.serviceManager.contents.get(context.path, {
        content: false
      });
      onDisk = model.last_modified;
    } catch {
      return; // gone or unreadable: JupyterLab says so itself on save
    }
    if (!known || !onDisk || onDisk === known || context.isDisposed) {
      return;
    }
    if (!context.model.dirty) {
      await context.revert();
      return;
    }
    const seen = `${context.path}\u0000${onDisk}`;
    if (this._told.has(seen)) {
      return;
    }
    this._told.add(seen);
    widget.title.className += ' jp-ExpJournal-stale';
    const name = PathExt.basename(context.path);
    const result = await showDialog({
      title: `${name} was changed by the journal tools`,
      body:
        `${context.path} was written on disk (a kernel, the sidebar or the command line) while this ` +
        'editor holds unsaved edits. Saving now would overwrite what they wrote. Reload it to see ' +
        'their change (your unsaved edits are discarded), or keep editing and copy your edits over after reloading.',
      buttons: [
        Dialog.cancelButton({ label: 'Keep editing' }),
        Dialog.warnButton({ label: 'Reload from disk' })
      ]
    });
    if (result.button.accept && !context.isDisposed) {
      await context.revert();
      widget.title.className = widget.title.className
        .replace(/\s*jp-ExpJournal-stale/g, '')
        .trim();
    }
  }

  private _timer: number;
  private _busy = false;
  private _told = new Set<string>();
}
