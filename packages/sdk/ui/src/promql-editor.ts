/**
 * The PromQL editor: CodeMirror 6 with Prometheus's own `@prometheus-io/codemirror-promql`, which highlights,
 * lints (parse errors underlined as you type) and completes functions, keywords, metric names, label names
 * and label values, the latter three from this server's `/api/v1` (same origin, so the page's credentials).
 */
import {
  acceptCompletion,
  autocompletion,
  closeBrackets,
  closeBracketsKeymap,
  completionKeymap,
  completionStatus,
} from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintKeymap } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

/** Colours by token kind, close to Prometheus's own editor. */
const promqlHighlight = HighlightStyle.define([
  { tag: tags.number, color: '#09885a' },
  { tag: tags.string, color: '#a31515' },
  { tag: tags.keyword, color: '#0055b3', fontWeight: 'bold' },
  { tag: tags.function(tags.variableName), color: '#0055b3' },
  { tag: tags.labelName, color: '#9e3b00' },
  { tag: tags.operator, color: '#6c3ec1' },
  { tag: tags.modifier, color: '#6c3ec1', fontWeight: 'bold' },
  { tag: tags.comment, color: '#6a737d', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#cb2431' },
]);

/** An editor and how to read or replace its text. */
export interface PromqlEditor {
  readonly view: EditorView;
  text(): string;
  setText(text: string): void;
}

/**
 * Mounts the editor in `parent`. Enter runs `onRun` (unless the completion list is open, where Enter picks
 * the completion); Shift-Enter inserts a newline, as in Prometheus's UI.
 */
export function createPromqlEditor(parent: HTMLElement, initial: string, onRun: () => void): PromqlEditor {
  const promql = new PromQLExtension().setComplete({
    // Same origin: the API's path, no host, so basic auth and a path prefix in front of the server both hold.
    remote: { url: '', httpMethod: 'GET', cache: { maxAge: 60_000 } },
  });
  const run = (view: EditorView): boolean => {
    // With completions open or on their way, Enter is for them: it picks the selected one (acceptCompletion
    // declines within its interaction delay after the list changed; Enter then does nothing rather than
    // run the half-typed query or break the line).
    const status = completionStatus(view.state);
    if (status === 'active') acceptCompletion(view);
    else if (status === null) onRun();
    return true;
  };
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: initial,
      extensions: [
        history(),
        closeBrackets(),
        bracketMatching(),
        autocompletion({ activateOnTyping: true }),
        syntaxHighlighting(promqlHighlight),
        placeholder('Expression (press Enter to run, Shift+Enter for a new line)'),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': 'PromQL expression' }),
        promql.asExtension(),
        Prec.highest(
          keymap.of([
            { key: 'Enter', run },
            { key: 'Shift-Enter', run: insertNewlineAndIndent },
          ]),
        ),
        keymap.of([
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          ...completionKeymap,
          ...lintKeymap,
        ]),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
    },
  };
}
