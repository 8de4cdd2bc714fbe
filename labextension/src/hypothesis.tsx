import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import {
  ICheckReply,
  IConfigRow,
  IDraft,
  IEntry,
  INotice,
  IOrder,
  IOrigin,
  JournalModel
} from './model';
import { CommandIDs } from './commands';
import { NoticeText, plainNotice } from './notices';
import { APIError } from './request';

/*
 * The hypothesis form (in the sidebar), with the gates checked live.
 */

const EMPTY_ROW: IConfigRow = { key: '', old: '', new: '' };

function emptyDraft(): IDraft {
  return {
    name: '',
    hypothesis: '',
    change: '',
    config: [{ ...EMPTY_ROW }],
    expected: '',
    baseline: '',
    sweep: ''
  };
}

/** Strict mode is the person's choice, kept in this browser (the magics keep it per kernel). */
const STRICT_KEY = 'jupyter-expjournal:strict';

function strictStored(): boolean {
  try {
    return window.localStorage.getItem(STRICT_KEY) === 'on';
  } catch {
    return false;
  }
}

function storeStrict(value: boolean): void {
  try {
    window.localStorage.setItem(STRICT_KEY, value ? 'on' : 'off');
  } catch {
    // private mode: the choice lasts as long as the form
  }
}

/**
 * The best completed result of the journal's first metric, offered as the
 * baseline: the core picks it (GET order), in the metric's own direction.
 */
function useBest(model: JournalModel): IOrder['best'] {
  const journal = model.journal;
  const metric = journal?.metric_names?.[0];
  const [best, setBest] = React.useState<IOrder['best']>(null);
  React.useEffect(() => {
    setBest(null);
    if (!metric) {
      return;
    }
    let stale = false;
    model.order(metric).then(
      reply => !stale && setBest(reply.best),
      () => undefined
    );
    return () => {
      stale = true;
    };
  }, [journal, metric, model]);
  return best;
}

/** Wait this long after the last keystroke before asking the gates. */
const CHECK_DELAY_MS = 250;

export interface IHypothesisFormProps {
  model: JournalModel;
  /** Run by the ways out of a refusal (Attach outputs, Abandon…). */
  commands: CommandRegistry;
  /** Where the hypothesis is written from (the active notebook and cell), for its Provenance. */
  origin: () => IOrigin;
  /** Called with the logged entry and the gates' warnings. */
  onLogged: (entry: IEntry, warnings: INotice[]) => void;
  onCancel: () => void;
}

/**
 * New hypothesis: name, hypothesis, change, config rows old → new, expected,
 * baseline. The gates (open entry, one variable, baseline, already tried,
 * rules) are shown as the user types, each refusal with its ways out.
 */
export function HypothesisForm(props: IHypothesisFormProps): JSX.Element {
  const { model, commands } = props;
  const [draft, setDraft] = React.useState<IDraft>(emptyDraft);
  const [parallel, setParallel] = React.useState(false);
  const [force, setForce] = React.useState(false);
  const [strict, setStrictState] = React.useState(strictStored);
  const setStrict = (value: boolean) => {
    setStrictState(value);
    storeStrict(value);
  };
  const [gates, setGates] = React.useState<ICheckReply | null>(null);
  const [refusals, setRefusals] = React.useState<INotice[]>([]);
  const [error, setError] = React.useState('');
  const [busy, setBusy] = React.useState(false);
  const openCount = model.journal?.open.length ?? 0;

  React.useEffect(() => {
    setRefusals([]);
    if (!draft.name.trim()) {
      setGates(null);
      return;
    }
    let stale = false;
    const timer = window.setTimeout(async () => {
      try {
        const reply = await model.check(draft, { parallel, force, strict });
        if (!stale) {
          setGates(reply);
          setError('');
        }
      } catch (e) {
        if (!stale) {
          setGates(null);
          setError((e as Error).message);
        }
      }
    }, CHECK_DELAY_MS);
    return () => {
      stale = true;
      window.clearTimeout(timer);
    };
  }, [draft, parallel, force, strict, model.path]);

  const set =
    (key: keyof Omit<IDraft, 'config'>) =>
    (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) =>
      setDraft({ ...draft, [key]: e.target.value });

  const setRow = (i: number, key: keyof IConfigRow, value: string) => {
    const config = draft.config.map((row, j) =>
      j === i ? { ...row, [key]: value } : row
    );
    setDraft({ ...draft, config });
  };
  const addRow = () =>
    setDraft({ ...draft, config: [...draft.config, { ...EMPTY_ROW }] });
  const removeRow = (i: number) => {
    const config = draft.config.filter((_, j) => j !== i);
    setDraft({ ...draft, config: config.length ? config : [{ ...EMPTY_ROW }] });
  };

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    setRefusals([]);
    try {
      const { entry, warnings } = await model.hypothesize(
        draft,
        { parallel, force, strict },
        props.origin()
      );
      setDraft(emptyDraft());
      setParallel(false);
      setForce(false);
      setGates(null);
      props.onLogged(entry, warnings);
    } catch (err) {
      if (err instanceof APIError && err.status === 409) {
        setRefusals(
          err.refusals.length ? err.refusals : [plainNotice(err.message)]
        );
      } else {
        setError((err as Error).message);
      }
    } finally {
      setBusy(false);
    }
  };

  const shownRefusals = refusals.length ? refusals : (gates?.refusals ?? []);
  const offers = (way: string) =>
    shownRefusals.some(notice => notice.ways_out.includes(way));
  const missing = [
    draft.name.trim() ? '' : 'a name',
    draft.hypothesis.trim() ? '' : 'the hypothesis'
  ].filter(Boolean);
  const why = busy
    ? 'Writing…'
    : missing.length
      ? `Give ${missing.join(' and ')} to log it.`
      : '';
  const canSubmit = !why;
  const absent = model.journal?.absent;
  const best = useBest(model);

  return (
    <form
      className="jp-ExpJournal-form"
      aria-label="New hypothesis"
      onSubmit={submit}
    >
      <div className="jp-ExpJournal-formTitle">New hypothesis</div>
      <div className="jp-ExpJournal-muted">
        Written to {model.journal?.journal_path ?? 'the journal'}
      </div>
      <DraftField
        label="Name"
        name="name"
        draft={draft}
        set={set}
        placeholder="QLoRA rank 64"
        autoFocus
      />
      <label>
        Hypothesis
        <textarea
          className="jp-mod-styled"
          name="hypothesis"
          rows={3}
          value={draft.hypothesis}
          onChange={set('hypothesis')}
          placeholder="What you expect to happen, and why"
        />
      </label>
      <DraftField
        label="Change"
        name="change"
        draft={draft}
        set={set}
        placeholder="lora_r 32 → 64 (from the rows if empty)"
      />
      <fieldset className="jp-ExpJournal-config">
        <legend>
          Config (old → new; no new value: unchanged
          {absent ? `; ${absent}: absent` : ''})
        </legend>
        {draft.config.map((row, i) => (
          <div className="jp-ExpJournal-configRow" key={i}>
            <input
              className="jp-mod-styled"
              aria-label={`Config key ${i + 1}`}
              placeholder="key"
              value={row.key}
              onChange={e => setRow(i, 'key', e.target.value)}
            />
            <input
              className="jp-mod-styled"
              aria-label={`Config old value ${i + 1}`}
              placeholder="old"
              title={absent ? `The value before (${absent}: a new key)` : ''}
              value={row.old}
              onChange={e => setRow(i, 'old', e.target.value)}
            />
            <span aria-hidden="true">→</span>
            <input
              className="jp-mod-styled"
              aria-label={`Config new value ${i + 1}`}
              placeholder="new"
              title={
                absent
                  ? `The value now (empty: unchanged; ${absent}: removed)`
                  : ''
              }
              value={row.new}
              onChange={e => setRow(i, 'new', e.target.value)}
            />
            <button
              type="button"
              className="jp-ExpJournal-iconButton"
              aria-label={`Remove config row ${i + 1}`}
              title="Remove this row"
              onClick={() => removeRow(i)}
            >
              ×
            </button>
          </div>
        ))}
        <button
          type="button"
          className="jp-ExpJournal-linkButton"
          onClick={addRow}
        >
          + Add row
        </button>
      </fieldset>
      <DraftField
        label="Sweep"
        name="sweep"
        draft={draft}
        set={set}
        placeholder="gamma = 0.001, 0.01, 0.1 (optional)"
        describedBy="jp-ExpJournal-sweepHint"
      />
      <div
        id="jp-ExpJournal-sweepHint"
        className="jp-ExpJournal-muted"
        title="The key alone when its config row lists the values (old → [v1, v2, v3]). The loop's results complete the sweep as one entry, with its table and curve."
      >
        Optional: one key and the values its runs take, fixed before the loop
        runs.
      </div>
      <DraftField
        label="Expected outcome"
        name="expected"
        draft={draft}
        set={set}
        placeholder="eval_acc +0.02"
      />
      <DraftField
        label="Baseline"
        name="baseline"
        draft={draft}
        set={set}
        placeholder="eval_acc = 0.78"
      />
      {best && (
        <div className="jp-ExpJournal-best" aria-label="Best so far">
          Best so far:{' '}
          <button
            type="button"
            className="jp-ExpJournal-linkButton"
            title={`Use as the baseline: the best result so far, in '${best.name}'`}
            onClick={() => setDraft({ ...draft, baseline: best.baseline })}
          >
            {best.baseline}
          </button>{' '}
          <span className="jp-ExpJournal-muted">({best.name})</span>
        </div>
      )}
      <Gates
        refusals={shownRefusals}
        warnings={gates?.warnings ?? []}
        rules={gates?.rules.map(r => r.text) ?? []}
        commands={commands}
      />
      {(openCount > 0 || parallel || offers('parallel')) && (
        <Tick checked={parallel} set={setParallel}>
          Parallel: run alongside the open experiment
          {openCount === 1 ? '' : 's'}
        </Tick>
      )}
      <Tick
        checked={strict}
        set={setStrict}
        title="As %journal --strict on: several changed variables, or none to compare against, refuse rather than warn"
      >
        Strict mode: refuse rather than warn
      </Tick>
      {(force || offers('force')) && (
        <Tick checked={force} set={setForce}>
          Force: log it despite strict mode
        </Tick>
      )}
      {error && (
        <div className="jp-ExpJournal-error" role="alert">
          {error}
        </div>
      )}
      <div className="jp-ExpJournal-formButtons">
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={props.onCancel}
        >
          Cancel
        </button>
        <button
          type="submit"
          className="jp-Button jp-mod-styled jp-mod-accept"
          disabled={!canSubmit}
          title={why || 'Write it to the journal as PLANNED'}
          aria-describedby="jp-ExpJournal-why"
        >
          Log hypothesis
        </button>
      </div>
      {why && (
        <div id="jp-ExpJournal-why" className="jp-ExpJournal-muted">
          {why}
        </div>
      )}
      <button
        type="button"
        className="jp-ExpJournal-linkButton"
        title="A run made without a hypothesis: log the active cell's outputs, marked as recorded after the fact"
        onClick={() => void commands.execute(CommandIDs.retro)}
      >
        Already ran it? Record a past run…
      </button>
    </form>
  );
}

/** A gate flag to tick: the words a refusal's way out names ("tick Parallel"). */
function Tick(props: {
  checked: boolean;
  set: (value: boolean) => void;
  children: React.ReactNode;
  title?: string;
}): JSX.Element {
  return (
    <label className="jp-ExpJournal-check" title={props.title}>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={e => props.set(e.target.checked)}
      />
      {props.children}
    </label>
  );
}

type DraftText = Exclude<keyof IDraft, 'config' | 'hypothesis'>;

/** One labelled one-line field of the draft (the label names it for screen readers and tests). */
function DraftField(props: {
  label: string;
  name: DraftText;
  draft: IDraft;
  set: (
    key: DraftText
  ) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => void;
  placeholder: string;
  autoFocus?: boolean;
  /** The id of a hint that says more about the field. */
  describedBy?: string;
}): JSX.Element {
  return (
    <label>
      {props.label}
      <input
        className="jp-mod-styled"
        name={props.name}
        value={props.draft[props.name]}
        onChange={props.set(props.name)}
        placeholder={props.placeholder}
        autoFocus={props.autoFocus}
        aria-describedby={props.describedBy}
      />
    </label>
  );
}

/**
 * What the gates say, worst first, each with its ways out. The warnings
 * already name earlier tries of the same change, with their outcome.
 */
function Gates(props: {
  refusals: INotice[];
  warnings: INotice[];
  rules: string[];
  commands: CommandRegistry;
}): JSX.Element | null {
  const { refusals, warnings, rules, commands } = props;
  if (!refusals.length && !warnings.length && !rules.length) {
    return null;
  }
  return (
    <div className="jp-ExpJournal-gates" aria-label="Gates" aria-live="polite">
      {refusals.map((notice, i) => (
        <div key={`r${i}`} className="jp-ExpJournal-refusal">
          <NoticeText notice={notice} commands={commands} />
        </div>
      ))}
      {warnings.map((notice, i) => (
        <div key={`w${i}`} className="jp-ExpJournal-warning">
          <NoticeText notice={notice} commands={commands} />
        </div>
      ))}
      {rules.map((text, i) => (
        <div key={`u${i}`} className="jp-ExpJournal-ruleNote">
          Rule: {text}
        </div>
      ))}
    </div>
  );
}
