import { URLExt } from '@jupyterlab/coreutils';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { CommandIDs } from './commands';
import { CompareTable } from './compare';
import { Controls, ordered } from './controls';
import { ICardActions, MemoEntryCard, StatusBadge } from './entry';
import { HypothesisForm } from './hypothesis';
import { IJournal, INotice, IOrigin, JournalModel } from './model';
import { NoticeText, plainNotice } from './notices';
import { EntryIndex } from './search';

/** Entries painted at first, and added by each "show more". */
export const PAGE = 100;

/**
 * The left sidebar: the journal of the active notebook's folder. Polls while
 * shown; every action is a command, so the palette and the buttons agree.
 */
export class JournalSidebar extends ReactWidget {
  constructor(
    readonly model: JournalModel,
    readonly commands: CommandRegistry,
    /** Where a hypothesis logged now is written from (the active notebook and cell). */
    readonly origin: () => IOrigin = () => ({})
  ) {
    super();
    this.addClass('jp-ExpJournal');
    const files = (path: string) =>
      URLExt.join(this.model.journal?.directory_relative ?? '', path);
    this.actions = {
      details: ref => this.model.details(ref),
      openFile: path =>
        void commands.execute('docmanager:open', { path: files(path) }),
      openOrigin: (notebook, cellId) =>
        void commands.execute(CommandIDs.openOrigin, {
          path: notebook,
          cell_id: cellId
        }),
      addLearning: ref =>
        void commands.execute(CommandIDs.addLearning, { entry: ref })
    };
  }

  /** What every card can do (one object: the cards are memoized on it). */
  readonly actions: ICardActions;

  /** Show the hypothesis form at the top of the panel. */
  showForm(): void {
    this._formOpen = true;
    this.update();
  }

  hideForm(): void {
    this._formOpen = false;
    this.update();
  }

  get formOpen(): boolean {
    return this._formOpen;
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.model.active = true;
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.model.active = false;
  }

  dispose(): void {
    this.model.active = false;
    super.dispose();
  }

  protected render(): JSX.Element {
    return (
      <UseSignal signal={this.model.changed}>
        {() => (
          <JournalView
            model={this.model}
            commands={this.commands}
            actions={this.actions}
            origin={this.origin}
            formOpen={this._formOpen}
            onCloseForm={() => this.hideForm()}
          />
        )}
      </UseSignal>
    );
  }

  private _formOpen = false;
}

interface IViewProps {
  model: JournalModel;
  commands: CommandRegistry;
  actions: ICardActions;
  origin: () => IOrigin;
  formOpen: boolean;
  onCloseForm: () => void;
}

function JournalView(props: IViewProps): JSX.Element {
  const { model, commands } = props;
  const journal = model.journal;
  const [notice, setNotice] = React.useState<INotice[]>([]);
  const run =
    (id: string, args = {}) =>
    () =>
      void commands.execute(id, args);

  return (
    <div className="jp-ExpJournal-panel">
      <header className="jp-ExpJournal-header">
        <h2 className="jp-ExpJournal-title">Experiment journal</h2>
        <div className="jp-ExpJournal-where" title={journal?.directory ?? ''}>
          {journal ? journal.journal_path : `${model.path || '/'} …`}
        </div>
        {journal && <Counts counts={journal.counts} />}
        <div className="jp-ExpJournal-actions" role="toolbar">
          <button
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={run(CommandIDs.newHypothesis)}
          >
            New hypothesis
          </button>
          <button
            className="jp-Button jp-mod-styled"
            onClick={run(CommandIDs.attach)}
            title="Attach the active cell's outputs to the open experiment"
          >
            Attach cell
          </button>
          <button
            className="jp-Button jp-mod-styled"
            onClick={run(CommandIDs.abandon)}
            disabled={!journal?.open.length}
            title={
              journal?.open.length
                ? 'Close an open experiment as ABANDONED, saying why'
                : 'No open experiment to abandon'
            }
          >
            Abandon
          </button>
          <button
            className="jp-Button jp-mod-styled"
            onClick={run(CommandIDs.lesson)}
          >
            Lesson / rule
          </button>
        </div>
      </header>
      {model.error && (
        <div className="jp-ExpJournal-error" role="alert">
          {model.error}
        </div>
      )}
      {props.formOpen && (
        <HypothesisForm
          model={model}
          commands={commands}
          origin={props.origin}
          onCancel={props.onCloseForm}
          onLogged={(entry, warnings) => {
            setNotice([
              plainNotice(`Logged '${entry.name}' as PLANNED.`),
              ...warnings
            ]);
            props.onCloseForm();
          }}
        />
      )}
      {notice.length > 0 && (
        <div className="jp-ExpJournal-notice" role="status">
          {notice.map((item, i) => (
            <div key={i}>
              <NoticeText notice={item} commands={commands} />
            </div>
          ))}
          <button
            className="jp-ExpJournal-linkButton"
            onClick={() => setNotice([])}
          >
            Dismiss
          </button>
        </div>
      )}
      {journal ? (
        <JournalBody
          journal={journal}
          model={model}
          commands={commands}
          actions={props.actions}
        />
      ) : (
        !model.error && <div className="jp-ExpJournal-empty">Loading…</div>
      )}
    </div>
  );
}

function Counts(props: { counts: Record<string, number> }): JSX.Element {
  return (
    <div className="jp-ExpJournal-counts">
      {['PLANNED', 'COMPLETED', 'ABANDONED'].map(status => (
        <span key={status} className="jp-ExpJournal-count">
          <StatusBadge status={status} /> {props.counts[status] ?? 0}
        </span>
      ))}
    </div>
  );
}

/** Cards painted in the frame the journal arrives in (more than a tall screen holds), and added by each later frame. */
export const FIRST_SCREEN = 12;

function JournalBody(props: {
  journal: IJournal;
  model: JournalModel;
  commands: CommandRegistry;
  actions: ICardActions;
}): JSX.Element {
  const { journal, model, commands, actions } = props;
  const [status, setStatus] = React.useState('');
  const [parameter, setParameter] = React.useState('');
  const [sort, setSort] = React.useState('time');
  const [table, setTable] = React.useState(false);
  const [query, setQuery] = React.useState('');
  const [limit, setLimit] = React.useState(PAGE);
  // Cards rendered so far for this query: they grow a frame at a time up to
  // `limit`, so that the first screen is painted before the rest are built.
  const [grown, setGrown] = React.useState({
    query: '',
    count: FIRST_SCREEN
  });
  const filesBase = React.useMemo(
    () =>
      URLExt.join(
        model.settings.baseUrl,
        'files',
        URLExt.encodeParts(journal.directory_relative)
      ),
    [model.settings.baseUrl, journal.directory_relative]
  );

  // Newest first; without a status chosen, the closed ones (the open ones are shown above).
  const index = React.useMemo(
    () => new EntryIndex([...journal.entries].reverse(), journal.search_keys),
    [journal]
  );
  React.useEffect(() => index.warm(), [index]);
  const base = React.useMemo(
    () =>
      index.entries.filter(
        e =>
          (status ? e.status === status : e.status !== 'PLANNED') &&
          (!parameter || e.changed_keys.includes(parameter))
      ),
    [index, status, parameter]
  );
  const pool = status
    ? (journal.counts[status] ?? 0)
    : journal.entries.length - journal.open.length;
  // A metric's order is the core's (GET order), asked again when the journal changes.
  const [order, setOrder] = React.useState<{
    journal: IJournal;
    sort: string;
    refs: string[];
  } | null>(null);
  React.useEffect(() => {
    if (!sort.startsWith('metric:')) {
      return;
    }
    let stale = false;
    model.order(sort.slice('metric:'.length)).then(
      reply => !stale && setOrder({ journal, sort, refs: reply.refs }),
      () => !stale && setOrder(null)
    );
    return () => {
      stale = true;
    };
  }, [journal, sort, model]);
  const refs =
    order && order.sort === sort && sort.startsWith('metric:')
      ? order.refs
      : null;
  const matches = React.useMemo(() => {
    const found = query ? new Set(index.filter(query)) : null;
    const kept = found ? base.filter(e => found.has(e)) : base;
    return ordered(kept, sort, refs);
  }, [index, base, query, sort, refs]);
  // A new query, filter or order starts the growing list again.
  const view = `${query}\u0000${status}\u0000${parameter}\u0000${sort}`;
  const count = grown.query === view ? grown.count : FIRST_SCREEN;
  const shown = matches.slice(0, Math.min(limit, count));
  const growing = shown.length < Math.min(limit, matches.length);

  React.useEffect(() => {
    if (!growing) {
      return;
    }
    const frame = requestAnimationFrame(() =>
      setGrown({ query: view, count: shown.length + FIRST_SCREEN })
    );
    return () => cancelAnimationFrame(frame);
  }, [growing, view, shown.length]);

  React.useLayoutEffect(() => {
    // Once this render is on screen: the next animation frame is the one that
    // paints it (a layout effect runs before the paint), and a task queued from
    // it runs after that paint. Not cancelled by the next render: this one was
    // painted all the same.
    requestAnimationFrame(() =>
      window.setTimeout(() => performance.mark('expjournal:painted'))
    );
  });

  return (
    <div className="jp-ExpJournal-body">
      {journal.reminders.length > 0 && (
        <ul className="jp-ExpJournal-reminders" aria-label="Reminders">
          {journal.reminders.map((reminder, i) => (
            <li key={i}>
              <NoticeText notice={reminder} commands={commands} />
            </li>
          ))}
        </ul>
      )}
      <section aria-label="Open experiments">
        <h3 className="jp-ExpJournal-sectionTitle">
          Open experiments ({journal.open.length})
        </h3>
        {journal.open.length === 0 && (
          <div className="jp-ExpJournal-empty">
            None open: log a hypothesis before the next run.
          </div>
        )}
        {[...journal.open].reverse().map(entry => (
          <MemoEntryCard
            key={entry.key}
            entry={entry}
            filesBase={filesBase}
            actions={actions}
          >
            <div className="jp-ExpJournal-entryActions">
              <button
                className="jp-Button jp-mod-styled jp-mod-accept"
                onClick={() =>
                  void commands.execute(CommandIDs.attach, {
                    entry: entry.ref
                  })
                }
              >
                Attach active cell
              </button>
              <button
                className="jp-Button jp-mod-styled"
                onClick={() =>
                  void commands.execute(CommandIDs.abandon, {
                    entry: entry.ref
                  })
                }
              >
                Abandon…
              </button>
            </div>
          </MemoEntryCard>
        ))}
      </section>
      <section aria-label="Entries">
        <h3 className="jp-ExpJournal-sectionTitle">
          Entries ({matches.length}
          {query || parameter ? ` of ${pool}` : ''})
        </h3>
        <Controls
          journal={journal}
          query={query}
          setQuery={value => {
            setQuery(value);
            setLimit(PAGE);
          }}
          status={status}
          setStatus={setStatus}
          parameter={parameter}
          setParameter={setParameter}
          sort={sort}
          setSort={setSort}
          table={table}
          setTable={setTable}
        />
        {table ? (
          <CompareTable journal={journal} entries={shown} />
        ) : (
          <div className="jp-ExpJournal-entries">
            {shown.map(entry => (
              <MemoEntryCard
                key={entry.key}
                entry={entry}
                filesBase={filesBase}
                actions={actions}
              />
            ))}
          </div>
        )}
        {!growing && matches.length > shown.length && (
          <button
            className="jp-ExpJournal-linkButton jp-ExpJournal-more"
            onClick={() => setLimit(limit + PAGE)}
          >
            Show {Math.min(PAGE, matches.length - shown.length)} more (
            {matches.length - shown.length} not shown)
          </button>
        )}
        {base.length > 0 && matches.length === 0 && (
          <div className="jp-ExpJournal-empty">No entry matches.</div>
        )}
        {!journal.exists && (
          <div className="jp-ExpJournal-empty">
            No journal yet in this folder: the first hypothesis creates{' '}
            {journal.journal_path}.
          </div>
        )}
      </section>
      <LessonsSection journal={journal} />
    </div>
  );
}

function LessonsSection(props: { journal: IJournal }): JSX.Element {
  const { lessons, rules } = props.journal;
  return (
    <section aria-label="Lessons and rules" className="jp-ExpJournal-lessons">
      <h3 className="jp-ExpJournal-sectionTitle">
        Rules ({rules.length}) and lessons ({lessons.length})
      </h3>
      {rules.length === 0 && lessons.length === 0 && (
        <div className="jp-ExpJournal-empty">
          None yet: distil one every 3-5 experiments.
        </div>
      )}
      <ul className="jp-ExpJournal-rules">
        {rules.map((rule, i) => (
          <li key={i}>
            <span
              className={`jp-ExpJournal-badge jp-ExpJournal-badge-${rule.kind}`}
            >
              {rule.kind}
            </span>{' '}
            {rule.action}
            {rule.reason
              ? ` ${rule.connective || 'because'} ${rule.reason}`
              : ''}
            {rule.date && (
              <span className="jp-ExpJournal-muted"> · {rule.date}</span>
            )}
          </li>
        ))}
      </ul>
      <ul className="jp-ExpJournal-lessonList">
        {[...lessons].reverse().map((lesson, i) => (
          <li key={i}>
            {lesson.date && (
              <span className="jp-ExpJournal-muted">{lesson.date} </span>
            )}
            {lesson.text}
            {lesson.source && (
              <span className="jp-ExpJournal-muted">
                {' '}
                · Source: {lesson.source}
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
