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
import {
  AbandonBody,
  AttachBody,
  askInPlace,
  LearningBody,
  LessonBody,
  RetroBody
} from './dialogs';
import { attachIcon, journalIcon } from './icon';
import { IEntry, IOrigin, JournalModel } from './model';
import { noticeWords } from './notices';
import { APIError } from './request';
import { FileFollower } from './follow';
import { JournalSidebar } from './sidebar';
import {
  notebookPageUrl,
  onePagePerDocument,
  revealCell,
  revealFromUrl
} from './reveal';

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

    // Editors open on journal.md or lessons.md follow what the tools write.
    new FileFollower(app);

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

    /** An error in the sidebar's words: a refusal's ways out as its controls, else the server's message. */
    const words = (error: unknown): string => {
      const refusals = error instanceof APIError ? error.refusals : [];
      return refusals.length
        ? refusals.map(noticeWords).join('; ')
        : (error as Error).message || String(error);
    };
    const fail = (error: unknown) =>
      Notification.error(words(error), { autoClose: 8000 });

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

    /** The active code cell's outputs as the notebook stores them, or a warning saying why there are none. */
    const activeOutputs = () => {
      const panel = tracker.currentWidget;
      const cell = panel?.content.activeCell;
      if (!panel || !cell) {
        Notification.warning(
          'Select a code cell of a notebook to attach its outputs.'
        );
        return null;
      }
      if (cell.model.type !== 'code') {
        Notification.warning('Only a code cell has outputs to attach.');
        return null;
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
        return null;
      }
      const summary = `${source}: ${outputs.length} output${outputs.length === 1 ? '' : 's'}`;
      const cellResult = {
        outputs,
        execution_count: count,
        execution: code.getMetadata('execution'),
        notebook: contents.localPath(panel.context.path),
        cell_id: code.id
      };
      return { panel, summary, source, cell: cellResult };
    };

    /** What a written result says, and "Add learning" on the toast when it has none. */
    const announce = (entry: IEntry, assets: string[]) => {
      const figures = assets.length
        ? ` (${assets.length} figure${assets.length === 1 ? '' : 's'} saved)`
        : '';
      const message = `'${entry.name}' ${entry.status}: ${entry.actual_summary || 'outputs attached'}${figures}`;
      const actions =
        entry.learning || entry.next
          ? []
          : [
              {
                label: 'Add learning / next',
                caption: 'What this result taught you, and what to try next',
                callback: () =>
                  void app.commands.execute(CommandIDs.addLearning, {
                    entry: entry.ref
                  })
              }
            ];
      Notification.success(message, {
        autoClose: actions.length ? 15000 : 5000,
        actions
      });
    };

    /**
     * Attach the active cell's outputs to an open entry. `oneClick` (the cell
     * toolbar) attaches at once and offers the learning on its toast;
     * otherwise learning and next are asked first.
     */
    const attachCell = async (args: ReadonlyPartialJSONObject) => {
      const active = activeOutputs();
      if (!active) {
        return;
      }
      const journal = await journalOf(active.panel);
      const open = journal?.open ?? [];
      if (!open.length) {
        const result = await showDialog({
          title: 'No open experiment',
          body:
            `There is no open experiment to attach ${active.source}'s outputs to. ` +
            'Log the hypothesis first (then run the cell and attach), or record this run after the fact.',
          buttons: [
            Dialog.cancelButton(),
            Dialog.createButton({ label: 'Record as past run…' }),
            Dialog.okButton({ label: 'New hypothesis' })
          ]
        });
        if (result.button.label === 'New hypothesis') {
          await app.commands.execute(CommandIDs.newHypothesis);
        } else if (result.button.label === 'Record as past run…') {
          await app.commands.execute(CommandIDs.retro);
        }
        return;
      }
      const chosen = (args.entry as string) || undefined;
      if (args.oneClick && (chosen || open.length === 1)) {
        const { entry, assets } = await model.result({
          entry: chosen,
          ...active.cell
        });
        announce(entry, assets);
        return;
      }
      const summary =
        active.summary + (open.length === 1 ? ` → '${open[0].name}'` : '');
      await askInPlace({
        title: 'Attach outputs and complete',
        body: new AttachBody(summary, open, chosen),
        accept: 'Attach',
        focus: 'textarea',
        words,
        submit: async value => {
          const { entry, assets } = await model.result({
            entry: value.entry ?? chosen,
            learning: value.learning,
            next: value.next,
            ...active.cell
          });
          announce(entry, assets);
        }
      });
    };

    app.commands.addCommand(CommandIDs.retro, {
      label: 'Record a past run (no hypothesis was logged)…',
      caption:
        "Log the active cell's outputs as a run made without a hypothesis, marked as logged after the fact",
      execute: async () => {
        try {
          const active = activeOutputs();
          if (!active) {
            return;
          }
          await journalOf(active.panel);
          await askInPlace({
            title: 'Record a past run',
            body: new RetroBody(
              `${active.summary}: logged COMPLETED, marked as recorded after the run.`
            ),
            accept: 'Record',
            focus: 'input',
            words,
            submit: async value => {
              const { entry, assets } = await model.retro({
                ...value,
                ...active.cell
              });
              announce(entry, assets);
            }
          });
        } catch (error) {
          fail(error);
        }
      }
    });

    app.commands.addCommand(CommandIDs.addLearning, {
      label: 'Add the learning of a completed experiment…',
      caption: 'Add the Learning and Next an entry was completed without',
      execute: async args => {
        try {
          const ref = args.entry as string | undefined;
          const journal = await journalOf(tracker.currentWidget);
          const entry = journal?.entries.find(e => e.ref === ref);
          if (!ref || !entry) {
            Notification.info('Choose the entry: its "Add learning…" button.');
            return;
          }
          await askInPlace({
            title: 'Add learning',
            body: new LearningBody(
              `'${entry.name}' ${entry.status}: ${entry.actual_summary}`
            ),
            accept: 'Add',
            focus: 'textarea',
            words,
            submit: async value => {
              await model.addLearning(ref, value.learning, value.next);
              Notification.success(`Learning added to '${entry.name}'.`, {
                autoClose: 4000
              });
            }
          });
        } catch (error) {
          fail(error);
        }
      }
    });

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
          await askInPlace({
            title: 'Abandon an experiment',
            body: new AbandonBody(open, args.entry as string | undefined),
            accept: 'Abandon',
            warn: true,
            focus: 'input',
            words,
            submit: async value => {
              const chosen = value.entry ?? (args.entry as string | undefined);
              const { entry } = await model.abandon(value.reason, chosen);
              Notification.info(`'${entry.name}' ABANDONED.`, {
                autoClose: 4000
              });
            }
          });
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
          await askInPlace({
            title: 'Add a lesson or rule',
            body: new LessonBody(),
            accept: 'Add',
            focus: 'textarea',
            words,
            submit: async value => {
              const { line } =
                value.kind === 'lesson'
                  ? await model.lesson(value.text, value.context, value.source)
                  : await model.rule(value.kind, value.action, value.reason);
              Notification.success(`Added: ${line}`, { autoClose: 4000 });
            }
          });
        } catch (error) {
          fail(error);
        }
      }
    });

    /** Told when the notebook an entry names no longer has its cell. */
    const cellGone = (path: string) =>
      Notification.warning(
        `${PathExt.basename(path)} no longer has the cell the entry was written from.`,
        { autoClose: 6000 }
      );

    app.commands.addCommand(CommandIDs.openOrigin, {
      label: 'Open the notebook an entry was written from',
      execute: async args => {
        const path = args.path as string;
        const cellId = args.cell_id as string | undefined;
        try {
          const here = tracker.find(
            panel => contents.localPath(panel.context.path) === path
          );
          if (onePagePerDocument() && !here) {
            // Notebook 7: the notebook's own page, at its cell (opened in the click, not after an await).
            window.open(notebookPageUrl(path, cellId), '_blank');
            return;
          }
          const widget =
            here ?? (await app.commands.execute('docmanager:open', { path }));
          const panel = widget instanceof NotebookPanel ? widget : null;
          if (!panel || !cellId) {
            return;
          }
          app.shell.activateById(panel.id);
          if (!(await revealCell(panel, cellId))) {
            cellGone(path);
          }
        } catch (error) {
          fail(error);
        }
      }
    });

    // A Notebook 7 page the sidebar opened at a cell: that cell is made active.
    if (onePagePerDocument()) {
      void app.restored.then(() =>
        revealFromUrl(tracker, panel =>
          cellGone(contents.localPath(panel.context.path))
        )
      );
    }

    app.commands.addCommand(CommandIDs.refresh, {
      label: 'Refresh the experiment journal',
      execute: () => model.refresh()
    });

    if (palette) {
      for (const command of [
        CommandIDs.open,
        CommandIDs.newHypothesis,
        CommandIDs.attach,
        CommandIDs.retro,
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
