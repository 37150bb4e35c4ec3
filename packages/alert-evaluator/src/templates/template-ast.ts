/**
 * The syntax tree of the Go `text/template` subset that Prometheus alert templates use.
 */

/** Where an operand is in the template source, as Go's execution errors name it. */
export interface TemplateSource {
  /** Offset (UTF-16 units) of the operand's first character in the template text. */
  readonly start: number;
  /** Offset Go reports the operand at: its first chained field (`.pool` in `$labels.pool`), else `start`. */
  readonly at: number;
  /** The operand as Go's `Node.String()` prints it (`$labels.pool`, `"quoted"`, `(printf "%d" 1)`). */
  readonly text: string;
}

/** An operand of a command. `chain` holds field names applied after the base (`$labels.pool`). */
export type TemplateArg = TemplateSource &
  (
    | { readonly kind: 'dot'; readonly chain: readonly string[] }
    | { readonly kind: 'variable'; readonly name: string; readonly chain: readonly string[] }
    | { readonly kind: 'function'; readonly name: string }
    | { readonly kind: 'literal'; readonly value: string | number | bigint | boolean | null }
    | { readonly kind: 'pipe'; readonly pipe: TemplatePipe; readonly chain: readonly string[] }
  );

/** `$x := cmd | cmd`, or `$x = ...` when `assign`. */
export interface TemplatePipe {
  readonly decl: readonly string[];
  readonly assign: boolean;
  readonly commands: readonly (readonly TemplateArg[])[];
  /** 1-based line and column of the action, for error messages. */
  readonly line: number;
  readonly col: number;
}

/** A node of the template body. */
export type TemplateNode =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'action'; readonly pipe: TemplatePipe }
  | {
      readonly kind: 'if' | 'with' | 'range';
      readonly pipe: TemplatePipe;
      readonly body: readonly TemplateNode[];
      readonly otherwise: readonly TemplateNode[] | undefined;
    }
  | { readonly kind: 'break' | 'continue' };
