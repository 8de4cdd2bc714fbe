import { URLExt } from '@jupyterlab/coreutils';
import { ReactWidget, UseSignal } from '@jupyterlab/ui-components';
import { CommandRegistry } from '@lumino/commands';
import { Message } from '@lumino/messaging';
import * as React from 'react';

import { CommandIDs } from './commands';
import { MemoEntryCard, StatusBadge } from './entry';
import { HypothesisForm } from './hypothesis';
import { IEntry, IJournal, INotice, IOrigin, JournalModel } from './model';
import { NoticeText, plainNotice } from './notices';

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
  }

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
        <JournalBody journal={journal} model={model} commands={commands} />
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

/**
 * Lower-case text a filter query is matched against: the entry's values under
 * the keys the core names (`search_keys`; an object's key: all its values).
 */
function haystack(entry: IEntry, keys: string[]): string {
  const parts: string[] = [];
  const record = entry as unknown as Record<string, unknown>;
  for (const key of keys) {
    const value = record[key];
    if (value && typeof value === 'object') {
      parts.push(...Object.values(value).map(String));
    } else if (value !== undefined && value !== null) {
      parts.push(String(value));
    }
  }
  return parts.join('\n').toLowerCase();
}

function JournalBody(props: {
  journal: IJournal;
  model: JournalModel;
  commands: CommandRegistry;
}): JSX.Element {
  const { journal, model, commands } = props;
  const [query, setQuery] = React.useState('');
  const [limit, setLimit] = React.useState(PAGE);
  const filesBase = React.useMemo(
    () =>
      URLExt.join(
        model.settings.baseUrl,
        'files',
        URLExt.encodeParts(journal.directory_relative)
      ),
    [model.settings.baseUrl, journal.directory_relative]
  );

  // Newest first, open ones shown above: the index is built once per journal.
  const indexed = React.useMemo(
    () =>
      journal.entries
        .filter(e => e.status !== 'PLANNED')
        .reverse()
        .map(entry => ({ entry, text: haystack(entry, journal.search_keys) })),
    [journal]
  );
  const matches = React.useMemo(() => {
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!words.length) {
      return indexed;
    }
    return indexed.filter(({ text }) => words.every(w => text.includes(w)));
  }, [indexed, query]);
  const shown = matches.slice(0, limit);

  React.useEffect(() => {
    const frame = requestAnimationFrame(() =>
      performance.mark('expjournal:painted')
    );
    return () => cancelAnimationFrame(frame);
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
            key={entry.id}
            entry={entry}
            filesBase={filesBase}
            absent={journal.absent}
          >
            <div className="jp-ExpJournal-entryActions">
              <button
                className="jp-Button jp-mod-styled jp-mod-accept"
                onClick={() =>
                  void commands.execute(CommandIDs.attach, {
                    heading: entry.heading
                  })
                }
              >
                Attach active cell
              </button>
              <button
                className="jp-Button jp-mod-styled"
                onClick={() =>
                  void commands.execute(CommandIDs.abandon, {
                    heading: entry.heading
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
          {query ? ` of ${indexed.length}` : ''})
        </h3>
        <input
          type="search"
          className="jp-mod-styled jp-ExpJournal-filter"
          aria-label="Filter entries"
          placeholder="Filter by any word of an entry"
          value={query}
          onChange={e => {
            setQuery(e.target.value);
            setLimit(PAGE);
          }}
        />
        <div className="jp-ExpJournal-entries">
          {shown.map(({ entry }) => (
            <MemoEntryCard
              key={entry.id}
              entry={entry}
              filesBase={filesBase}
              absent={journal.absent}
            />
          ))}
        </div>
        {matches.length > shown.length && (
          <button
            className="jp-ExpJournal-linkButton jp-ExpJournal-more"
            onClick={() => setLimit(limit + PAGE)}
          >
            Show {Math.min(PAGE, matches.length - shown.length)} more (
            {matches.length - shown.length} not shown)
          </button>
        )}
        {indexed.length > 0 && matches.length === 0 && (
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
