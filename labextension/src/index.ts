/**
 * The JupyterLab face of jupyter_expjournal: a left sidebar showing the journal
 * of the active notebook's folder, and commands to log a hypothesis, attach a
 * cell's outputs, abandon an experiment and add a lesson or rule. All Markdown
 * is read and written by the Python core, through the server extension.
 */
import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import {
  Dialog,
  ICommandPalette,
  Notification,
  showDialog
} from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ICodeCellModel } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { CommandIDs } from './commands';
import { AbandonBody, AttachBody, LessonBody } from './dialogs';
import { attachIcon, journalIcon } from './icon';
import { IOrigin, JournalModel } from './model';
import { noticeWords } from './notices';
import { APIError } from './request';
import { JournalSidebar } from './sidebar';

const PLUGIN_ID = 'jupyter-expjournal:plugin';
const CATEGORY = 'Experiment journal';
const SIDEBAR_ID = 'expjournal-sidebar';

/**
 * The sidebar and its commands.
 */
const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'An ML experiment journal in Markdown: hypothesis first, result attached, lessons distilled.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ILayoutRestorer, ICommandPalette, IDefaultFileBrowser],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    browser: IDefaultFileBrowser | null
  ) => {
    const contents = app.serviceManager.contents;
    const model = new JournalModel(app.serviceManager.serverSettings);
    /** The active notebook (its path from the server root) and cell: a hypothesis's Provenance. */
    const origin = (): IOrigin => {
      const panel = tracker.currentWidget;
      if (!panel) {
        return {};
      }
      const cell = panel.content.activeCell;
      return {
        notebook: contents.localPath(panel.context.path),
        cell_id: cell?.model.id
      };
    };
    const sidebar = new JournalSidebar(model, app.commands, origin);
    sidebar.id = SIDEBAR_ID;
    sidebar.title.icon = journalIcon;
    sidebar.title.caption = 'Experiment journal';
    app.shell.add(sidebar, 'left', { rank: 650 });
    restorer?.add(sidebar, SIDEBAR_ID);

    const folderOf = (panel: NotebookPanel) =>
      PathExt.dirname(contents.localPath(panel.context.path));

    // Follow the active notebook (renames included); without one, the file browser.
    let followed: NotebookPanel | null = null;
    const follow = () => {
      const panel = tracker.currentWidget;
      if (panel !== followed) {
        followed?.context.pathChanged.disconnect(follow);
        panel?.context.pathChanged.connect(follow);
        followed = panel;
      }
      if (panel) {
        model.path = folderOf(panel);
      } else if (browser) {
        model.path = contents.localPath(browser.model.path);
      } else {
        model.path = '';
      }
    };
    tracker.currentChanged.connect(follow);
    browser?.model.pathChanged.connect(() => {
      if (!tracker.currentWidget) {
        follow();
      }
    });
    void app.restored.then(follow);

    /** A refusal in the sidebar's words (its ways out as its controls), else the server's message. */
    const fail = (error: unknown) => {
      const refusals = error instanceof APIError ? error.refusals : [];
      const message = refusals.length
        ? refusals.map(noticeWords).join('; ')
        : (error as Error).message || String(error);
      Notification.error(message, { autoClose: 8000 });
    };

    /** The journal of the active notebook's folder, fresh (a 304 when the panel polled it). */
    const journalOf = async (panel: NotebookPanel | null) => {
      if (panel) {
        model.path = folderOf(panel);
      }
      await model.refresh();
      if (model.error) {
        throw new Error(model.error);
      }
      return model.journal;
    };

    app.commands.addCommand(CommandIDs.open, {
      label: 'Show the experiment journal',
      caption: 'Open the experiment journal sidebar',
      icon: journalIcon,
      execute: () => app.shell.activateById(SIDEBAR_ID)
    });

    app.commands.addCommand(CommandIDs.newHypothesis, {
      label: 'New hypothesis…',
      caption: 'Log a hypothesis before the experiment runs',
      execute: () => {
        app.shell.activateById(SIDEBAR_ID);
        sidebar.showForm();
      }
    });

    app.commands.addCommand(CommandIDs.attach, {
      label: args =>
        args.oneClick ? '' : 'Attach active cell outputs to the journal…',
      caption:
        'Attach the cell outputs (text, figures, errors) to the open experiment and mark it COMPLETED',
      icon: args => (args.oneClick ? attachIcon : undefined),
      execute: async args => {
        try {
          await attachCell(args);
        } catch (error) {
          fail(error);
        }
      }
    });

    /**
     * Attach the active cell's outputs to an open entry. `oneClick` (the cell
     * toolbar) attaches at once; otherwise learning and next are asked first.
     */
    const attachCell = async (args: ReadonlyPartialJSONObject) => {
      const panel = tracker.currentWidget;
      const cell = panel?.content.activeCell;
      if (!panel || !cell) {
        Notification.warning(
          'Select a code cell of a notebook to attach its outputs.'
        );
        return;
      }
      if (cell.model.type !== 'code') {
        Notification.warning('Only a code cell has outputs to attach.');
        return;
      }
      const code = cell.model as ICodeCellModel;
      // The outputs as the notebook stores them: the server makes the outcome of them.
      const outputs = code.outputs.toJSON();
      const count = code.executionCount;
      const source = count ? `cell [${count}]` : 'the active cell';
      if (!outputs.length) {
        Notification.warning(
          `${source} has no outputs to attach: run it first.`
        );
        return;
      }
      const journal = await journalOf(panel);
      const open = journal?.open ?? [];
      if (!open.length) {
        Notification.warning(
          'No open experiment to attach to: log one with New hypothesis… (or %%hypothesis in a cell) first.'
        );
        return;
      }
      let chosen = (args.entry as string) || undefined;
      let learning = '';
      let next = '';
      if (!args.oneClick || (!chosen && open.length > 1)) {
        const summary =
          `${source}: ${outputs.length} output${outputs.length === 1 ? '' : 's'}` +
          (open.length === 1 ? ` → '${open[0].name}'` : '');
        const body = new AttachBody(summary, open, chosen);
        const result = await showDialog({
          title: 'Attach outputs and complete',
          body,
          buttons: [
            Dialog.cancelButton(),
            Dialog.okButton({ label: 'Attach' })
          ],
          focusNodeSelector: 'textarea'
        });
        if (!result.button.accept || !result.value) {
          return;
        }
        chosen = result.value.entry ?? chosen;
        learning = result.value.learning;
        next = result.value.next;
      }
      const { entry, assets } = await model.result({
        entry: chosen,
        outputs,
        execution_count: count,
        execution: code.getMetadata('execution'),
        notebook: contents.localPath(panel.context.path),
        cell_id: code.id,
        learning,
        next
      });
      Notification.success(
        `'${entry.name}' ${entry.status}: ${entry.actual_summary || 'outputs attached'}` +
          (assets.length
            ? ` (${assets.length} figure${assets.length === 1 ? '' : 's'} saved)`
            : ''),
        { autoClose: 5000 }
      );
    };

    app.commands.addCommand(CommandIDs.abandon, {
      label: 'Abandon the open experiment…',
      caption: 'Close an open experiment as ABANDONED, saying why',
      execute: async args => {
        try {
          const journal = await journalOf(tracker.currentWidget);
          const open = journal?.open ?? [];
          if (!open.length) {
            Notification.info('No open experiment to abandon.');
            return;
          }
          const result = await showDialog({
            title: 'Abandon an experiment',
            body: new AbandonBody(open, args.entry as string | undefined),
            buttons: [
              Dialog.cancelButton(),
              Dialog.warnButton({ label: 'Abandon' })
            ],
            focusNodeSelector: 'input'
          });
          if (!result.button.accept || !result.value) {
            return;
          }
          const chosen =
            result.value.entry ?? (args.entry as string | undefined);
          const { entry } = await model.abandon(result.value.reason, chosen);
          Notification.info(`'${entry.name}' ABANDONED.`, { autoClose: 4000 });
        } catch (error) {
          fail(error);
        }
      }
    });

    app.commands.addCommand(CommandIDs.lesson, {
      label: 'Add a lesson or rule…',
      caption: 'Write a lesson, or a NEVER/ALWAYS rule, to lessons.md',
      execute: async () => {
        try {
          await journalOf(tracker.currentWidget);
          const result = await showDialog({
            title: 'Add a lesson or rule',
            body: new LessonBody(),
            buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Add' })],
            focusNodeSelector: 'textarea'
          });
          if (!result.button.accept || !result.value) {
            return;
          }
          const value = result.value;
          const { line } =
            value.kind === 'lesson'
              ? await model.lesson(value.text, value.context, value.source)
              : await model.rule(value.kind, value.action, value.reason);
          Notification.success(`Added: ${line}`, { autoClose: 4000 });
        } catch (error) {
          fail(error);
        }
      }
    });

    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh the experiment journal',
      execute: () => model.refresh()
    });

    if (palette) {
      for (const command of [
        CommandIDs.open,
        CommandIDs.newHypothesis,
        CommandIDs.attach,
        CommandIDs.abandon,
        CommandIDs.lesson,
        CommandIDs.refresh
      ]) {
        palette.addItem({ command, category: CATEGORY });
      }
    }
  }
};

export default plugin;
