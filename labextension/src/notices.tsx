import { CommandRegistry } from '@lumino/commands';
import * as React from 'react';

import { CommandIDs } from './commands';
import { INotice } from './model';

/** A way out in the sidebar's words: a control to click, or one to tick. */
export interface IWayOut {
  label: string;
  /** The command a button runs; none: the words name a control of the form. */
  command?: string;
}

/**
 * The sidebar's vocabulary for the core's ways out (core/notices.py names
 * them): each is a button or a checkbox the person has in front of them.
 * The one place these words are chosen.
 */
export const WAYS_OUT: Record<string, IWayOut> = {
  'log-result': { label: 'Attach outputs', command: CommandIDs.attach },
  abandon: { label: 'Abandon…', command: CommandIDs.abandon },
  parallel: { label: 'tick Parallel' },
  force: { label: 'tick Force' },
  'choose-entry': { label: 'choose the experiment' },
  'new-hypothesis': {
    label: 'New hypothesis…',
    command: CommandIDs.newHypothesis
  },
  retro: { label: 'Record as past run…', command: CommandIDs.retro },
  'add-lesson': { label: 'Add lesson…', command: CommandIDs.lesson }
};

/** A way out the vocabulary lacks still reads as its name. */
function wayOut(name: string): IWayOut {
  return WAYS_OUT[name] ?? { label: name.replace(/-/g, ' ') };
}

/** The arguments a way out's command gets: the entry, when the notice is about one. */
function wayArgs(notice: INotice): { entry?: string } {
  return notice.entries.length === 1 ? { entry: notice.entries[0] } : {};
}

/** A notice as one line of text in the sidebar's words (for a notification). */
export function noticeWords(notice: INotice): string {
  const ways = notice.ways_out.map(name => wayOut(name).label);
  if (!ways.length) {
    return notice.text;
  }
  return `${notice.text}: ${ways.join(ways.length > 2 ? ', or ' : ' or ')}`;
}

/** A notice with no gate and no way out: the sidebar's own news ("Logged 'x'"). */
export function plainNotice(text: string): INotice {
  return { gate: '', text, ways_out: [], entries: [], message: text };
}

/**
 * A notice as the sidebar shows it: the core's sentence, then its ways out,
 * each a button when it is an action and words when it is a control to tick.
 */
export function NoticeText(props: {
  notice: INotice;
  commands: CommandRegistry;
}): JSX.Element {
  const { notice, commands } = props;
  const ways = notice.ways_out.map(wayOut);
  const separator = ways.length > 2 ? ', or ' : ' or ';
  return (
    <>
      {notice.text}
      {ways.length > 0 && ': '}
      {ways.map((way, i) => (
        <React.Fragment key={i}>
          {i > 0 && separator}
          {way.command ? (
            <button
              type="button"
              className="jp-ExpJournal-linkButton jp-ExpJournal-wayOut"
              onClick={() =>
                void commands.execute(way.command!, wayArgs(notice))
              }
            >
              {way.label}
            </button>
          ) : (
            <span className="jp-ExpJournal-wayOut">{way.label}</span>
          )}
        </React.Fragment>
      ))}
    </>
  );
}
