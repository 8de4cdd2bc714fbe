import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { IEntry } from './model';

/*
 * The bodies of the attach, abandon, lesson, retro and learning dialogs:
 * plain DOM, every text set with textContent only. Each dialog stays open
 * until the server has written what it asks, and shows the server's refusal
 * in place (askInPlace).
 */

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function labelled<T extends HTMLElement>(
  parent: HTMLElement,
  label: string,
  control: T
): T {
  const wrap = element('label', 'jp-ExpJournal-dialogField', label);
  control.classList.add('jp-mod-styled');
  wrap.appendChild(control);
  parent.appendChild(wrap);
  return control;
}

function input(name: string, placeholder = ''): HTMLInputElement {
  const node = element('input');
  node.name = name;
  node.placeholder = placeholder;
  return node;
}

function textarea(name: string, placeholder = ''): HTMLTextAreaElement {
  const node = element('textarea');
  node.name = name;
  node.rows = 3;
  node.placeholder = placeholder;
  return node;
}

/** A dialog body with a place for the error of its last try. */
export abstract class FormBody<T> extends Widget {
  constructor() {
    super();
    this.addClass('jp-ExpJournal-dialog');
  }

  abstract getValue(): T;

  /** Show `message` under the fields ('' clears it), and mark the field it names. */
  showError(message: string): void {
    this._error.textContent = message;
    this._error.hidden = !message;
    if (message && !this._error.isConnected) {
      this.node.appendChild(this._error);
    }
    for (const control of this.node.querySelectorAll('[name]')) {
      const name = control.getAttribute('name');
      const named = !!message && !!name && message.includes(`'${name}'`);
      control.setAttribute('aria-invalid', named ? 'true' : 'false');
    }
  }

  private _error = (() => {
    const node = element('p', 'jp-ExpJournal-dialogError');
    node.hidden = true;
    node.setAttribute('role', 'alert');
    return node;
  })();
}

/**
 * Show a dialog whose accept button (or Enter) runs `submit` while the dialog
 * stays open: it closes when `submit` succeeds, and shows its error in place
 * otherwise, with everything typed kept. Resolves to whether it was done.
 */
export async function askInPlace<T>(options: {
  title: string;
  body: FormBody<T>;
  accept: string;
  warn?: boolean;
  focus?: string;
  submit: (value: T) => Promise<void>;
  /** The error of a failed submit in the sidebar's words. */
  words: (error: unknown) => string;
}): Promise<boolean> {
  const { body } = options;
  const acceptButton = options.warn
    ? Dialog.warnButton({ label: options.accept })
    : Dialog.okButton({ label: options.accept });
  const dialog = new Dialog({
    title: options.title,
    body,
    buttons: [Dialog.cancelButton(), acceptButton],
    focusNodeSelector: options.focus
  });
  let busy = false;
  let done = false;
  const run = async () => {
    if (busy) {
      return;
    }
    busy = true;
    body.showError('');
    try {
      await options.submit(body.getValue());
      done = true;
      dialog.resolve(1);
    } catch (error) {
      body.showError(options.words(error));
    } finally {
      busy = false;
    }
  };
  // Seen before the dialog's own handlers (the document's capture phase comes first).
  const intercept = (event: Event) => {
    const target = event.target as HTMLElement | null;
    if (!target || !dialog.node.contains(target)) {
      return;
    }
    const buttons = dialog.node.querySelectorAll('.jp-Dialog-footer button');
    const acceptNode = buttons[buttons.length - 1];
    if (event.type === 'click') {
      if (!acceptNode?.contains(target)) {
        return;
      }
    } else {
      const key = event as KeyboardEvent;
      const onOtherButton =
        target.tagName === 'BUTTON' && !acceptNode?.contains(target);
      if (
        key.key !== 'Enter' ||
        key.shiftKey ||
        target.tagName === 'TEXTAREA' ||
        target.tagName === 'SELECT' ||
        onOtherButton
      ) {
        return;
      }
    }
    event.stopPropagation();
    event.preventDefault();
    void run();
  };
  document.addEventListener('click', intercept, true);
  document.addEventListener('keydown', intercept, true);
  try {
    await dialog.launch();
  } finally {
    document.removeEventListener('click', intercept, true);
    document.removeEventListener('keydown', intercept, true);
  }
  return done;
}

/** The Learning and Next fields every closing dialog asks. */
function learningFields(
  parent: HTMLElement
): [HTMLTextAreaElement, HTMLInputElement] {
  return [
    labelled(
      parent,
      'Learning',
      textarea('learning', 'What did this teach you?')
    ),
    labelled(parent, 'Next', input('next', 'What to try next'))
  ];
}

/** A chooser among open entries, or null when there is only one. */
function openEntryChooser(
  parent: HTMLElement,
  open: IEntry[],
  preferred?: string
): HTMLSelectElement | null {
  if (open.length < 2) {
    return null;
  }
  const select = element('select');
  select.name = 'entry';
  for (const entry of [...open].reverse()) {
    const option = element('option', '', `${entry.name} (${entry.timestamp})`);
    option.value = entry.ref;
    option.selected = entry.ref === preferred;
    select.appendChild(option);
  }
  return labelled(parent, 'Experiment', select);
}

export interface IAttachValue {
  entry?: string;
  learning: string;
  next: string;
}

/** Asks learning and next before a cell's outputs are attached. */
export class AttachBody extends FormBody<IAttachValue> {
  constructor(summary: string, open: IEntry[], preferred?: string) {
    super();
    this.node.appendChild(element('p', 'jp-ExpJournal-dialogNote', summary));
    this._entry = openEntryChooser(this.node, open, preferred);
    [this._learning, this._next] = learningFields(this.node);
  }

  getValue(): IAttachValue {
    return {
      entry: this._entry?.value || undefined,
      learning: this._learning.value,
      next: this._next.value
    };
  }

  private _entry: HTMLSelectElement | null;
  private _learning: HTMLTextAreaElement;
  private _next: HTMLInputElement;
}

/** Asks why an open experiment is abandoned. */
export class AbandonBody extends FormBody<{ entry?: string; reason: string }> {
  constructor(open: IEntry[], preferred?: string) {
    super();
    this._entry = openEntryChooser(this.node, open, preferred);
    if (!this._entry && open.length === 1) {
      this.node.appendChild(
        element('p', 'jp-ExpJournal-dialogNote', `Abandon '${open[0].name}'.`)
      );
    }
    this._reason = labelled(
      this.node,
      'Reason',
      input('reason', 'Why it is stopped')
    );
  }

  getValue(): { entry?: string; reason: string } {
    return {
      entry: this._entry?.value || undefined,
      reason: this._reason.value
    };
  }

  private _entry: HTMLSelectElement | null;
  private _reason: HTMLInputElement;
}

export type LessonValue =
  | { kind: 'lesson'; text: string; context: string; source: string }
  | { kind: 'NEVER' | 'ALWAYS'; action: string; reason: string };

/** A lesson, or a NEVER/ALWAYS rule. */
export class LessonBody extends FormBody<LessonValue> {
  constructor() {
    super();
    this._kind = element('select');
    this._kind.name = 'kind';
    for (const [value, label] of [
      ['lesson', 'Lesson'],
      ['NEVER', 'Rule: NEVER …'],
      ['ALWAYS', 'Rule: ALWAYS …']
    ]) {
      const option = element('option', '', label);
      option.value = value;
      this._kind.appendChild(option);
    }
    labelled(this.node, 'Kind', this._kind);
    this._text = labelled(
      this.node,
      'Text',
      textarea('text', 'alpha/r ratio matters more than rank')
    );
    this._context = labelled(this.node, 'Context', input('context', 'QLoRA'));
    this._source = labelled(this.node, 'Source', input('source', 'runs 3-5'));
    this._kind.addEventListener('change', () => this._relabel());
    this._relabel();
  }

  getValue(): LessonValue {
    const kind = this._kind.value;
    if (kind === 'NEVER' || kind === 'ALWAYS') {
      return { kind, action: this._text.value, reason: this._context.value };
    }
    return {
      kind: 'lesson',
      text: this._text.value,
      context: this._context.value,
      source: this._source.value
    };
  }

  private _relabel(): void {
    const rule = this._kind.value !== 'lesson';
    const label = (control: HTMLElement, text: string) => {
      const wrap = control.parentElement!;
      wrap.firstChild!.textContent = text;
    };
    label(this._text, rule ? `${this._kind.value} (what)` : 'Text');
    label(this._context, rule ? 'Because / when' : 'Context');
    this._source.parentElement!.style.display = rule ? 'none' : '';
  }

  private _kind: HTMLSelectElement;
  private _text: HTMLTextAreaElement;
  private _context: HTMLInputElement;
  private _source: HTMLInputElement;
}

export interface IRetroValue {
  name: string;
  hypothesis: string;
  learning: string;
  next: string;
}

/** A run that had no hypothesis, recorded after the fact with the cell's outputs. */
export class RetroBody extends FormBody<IRetroValue> {
  constructor(summary: string) {
    super();
    this.node.appendChild(element('p', 'jp-ExpJournal-dialogNote', summary));
    this._name = labelled(this.node, 'Name', input('name', 'quick lr probe'));
    this._hypothesis = labelled(
      this.node,
      'What was tried',
      textarea('hypothesis', 'What you expected, as you would have written it')
    );
    [this._learning, this._next] = learningFields(this.node);
  }

  getValue(): IRetroValue {
    return {
      name: this._name.value,
      hypothesis: this._hypothesis.value,
      learning: this._learning.value,
      next: this._next.value
    };
  }

  private _name: HTMLInputElement;
  private _hypothesis: HTMLTextAreaElement;
  private _learning: HTMLTextAreaElement;
  private _next: HTMLInputElement;
}

/** The Learning and Next of an entry completed without them. */
export class LearningBody extends FormBody<{ learning: string; next: string }> {
  constructor(summary: string) {
    super();
    this.node.appendChild(element('p', 'jp-ExpJournal-dialogNote', summary));
    [this._learning, this._next] = learningFields(this.node);
  }

  getValue(): { learning: string; next: string } {
    return { learning: this._learning.value, next: this._next.value };
  }

  private _learning: HTMLTextAreaElement;
  private _next: HTMLInputElement;
}
