/**
 * Command-line options of the benchmarks, on node:util's parseArgs. Each option is declared once,
 * with its type, its range and a line of help; `--help` prints the usage made from those
 * declarations, and a bad value (an unknown option, a number out of range, an unknown choice)
 * ends the run before anything starts, with a sentence that names the option, the usage and exit
 * code 2. Values come back typed: a number option with a default is a `number`, without one
 * `number | undefined` (the script picks a default that depends on other options, e.g. --quick).
 */
import { parseArgs } from 'node:util';

export interface FlagOption {
  type: 'boolean';
  help: string;
}

export interface NumberOption {
  type: 'number';
  help: string;
  min: number;
  max: number;
  /** Whole numbers only. */
  integer?: boolean;
  default?: number;
  /** For the usage, when the script picks the default itself, e.g. `3, 1 with --quick`. */
  defaultNote?: string;
  /** The value's name in the usage, e.g. `s` or `MiB`. */
  value?: string;
}

export interface StringOption {
  type: 'string';
  help: string;
  default?: string;
  value?: string;
}

/** A comma-separated subset of `choices`, e.g. `--only slow,squat`. */
export interface ListOption {
  type: 'list';
  help: string;
  choices: readonly string[];
  default: readonly string[];
}

export type OptionSpec = FlagOption | NumberOption | StringOption | ListOption;
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<O> = O extends { type: 'boolean' }
  ? boolean
  : O extends { type: 'number'; default: number }
    ? number
    : O extends { type: 'number' }
      ? number | undefined
      : O extends { type: 'string'; default: string }
        ? string
        : O extends { type: 'string' }
          ? string | undefined
          : O extends { type: 'list'; choices: readonly (infer C)[] }
            ? C[]
            : never;

export type OptionValues<S extends OptionSpecs> = { -readonly [K in keyof S]: ValueOf<S[K]> };

export interface Command<S extends OptionSpecs> {
  /** How it is run, e.g. `npm run bench:join --`. */
  usage: string;
  /** What it does, in a sentence or two. */
  summary: string;
  options: S;
  /** Printed after the options. */
  notes?: string;
}

/** A bad command line; its message names the option and what was wrong. */
export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

/** The usage text: how to run it, what it does, and every option with its default and range. */
export function usageText<S extends OptionSpecs>(command: Command<S>): string {
  const rows: Array<[string, string]> = Object.entries(command.options).map(([name, o]) => [
    o.type === 'boolean' ? `--${name}` : `--${name} ${o.type === 'list' ? 'a,b' : (o.value ?? (o.type === 'number' ? 'n' : 'x'))}`,
    `${o.help}${details(o)}`,
  ]);
  rows.push(['--help', 'print this text']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const lines = [`usage: ${command.usage} [options]`, '', command.summary, '', 'options:'];
  for (const [left, right] of rows) lines.push(`  ${left.padEnd(width)}${right}`);
  if (command.notes) lines.push('', command.notes);
  return lines.join('\n');
}

function details(o: OptionSpec): string {
  switch (o.type) {
    case 'boolean':
      return '';
    case 'number': {
      const fallback = o.default ?? o.defaultNote;
      return ` (${fallback === undefined ? '' : `default ${fallback}; `}${o.min} to ${o.max})`;
    }
    case 'string':
      return o.default === undefined ? '' : ` (default ${o.default})`;
    case 'list':
      return ` (of ${o.choices.join(', ')}; default ${o.default.join(',')})`;
  }
}

/**
 * The options in `argv`, checked and typed. Throws a UsageError on a bad command line; returns
 * null when `--help` was given.
 */
export function readOptions<const S extends OptionSpecs>(command: Command<S>, argv: readonly string[]): OptionValues<S> | null {
  let values: Record<string, string | boolean | undefined>;
  try {
    const declared = Object.fromEntries(
      Object.entries(command.options).map(([name, o]) => [name, { type: o.type === 'boolean' ? ('boolean' as const) : ('string' as const) }]),
    );
    ({ values } = parseArgs({ args: [...argv], options: { ...declared, help: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(parseError(err));
  }
  if (values.help) return null;
  const out: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(command.options)) out[name] = parsedValue(name, o, values[name]);
  return out as OptionValues<S>;
}

/** parseArgs' messages, shortened: they suggest `--` for positionals, which no bench takes. */
function parseError(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  const quoted = /'([^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted) return `unknown option ${quoted}`;
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && quoted) return `unexpected argument ${quoted} (no bench takes one)`;
  return message;
}

function parsedValue(name: string, o: OptionSpec, raw: string | boolean | undefined): unknown {
  if (o.type === 'boolean') return raw === true;
  if (raw === undefined) return o.type === 'list' ? [...o.default] : o.default;
  const text = String(raw);
  if (o.type === 'string') return text;
  if (o.type === 'list') {
    const picked = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = picked.filter((s) => !o.choices.includes(s));
    if (unknown.length || picked.length === 0) {
      throw new UsageError(`--${name} takes a comma-separated list of ${o.choices.join(', ')}; got "${text}"`);
    }
    return [...new Set(picked)];
  }
  const n = text.trim() === '' ? NaN : Number(text);
  const whole = o.integer ? 'whole ' : '';
  if (!Number.isFinite(n) || (o.integer && !Number.isInteger(n)) || n < o.min || n > o.max) {
    throw new UsageError(`--${name} must be a ${whole}number from ${o.min} to ${o.max}; got "${text}"`);
  }
  return n;
}

/**
 * The options of this process's command line. Prints the usage and exits 0 on `--help`; prints
 * the error and the usage to stderr and exits 2 on a bad command line, or when `check` (for rules
 * between options) returns a message.
 */
export function parseOptions<const S extends OptionSpecs>(
  command: Command<S>,
  check: (values: OptionValues<S>) => string | null = () => null,
  argv: readonly string[] = process.argv.slice(2),
): OptionValues<S> {
  let values: OptionValues<S> | null;
  try {
    values = readOptions(command, argv);
    const problem = values && check(values);
    if (problem) throw new UsageError(problem);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${usageText(command)}\n`);
    process.exit(2);
  }
  if (!values) {
    process.stdout.write(`${usageText(command)}\n`);
    process.exit(0);
  }
  return values;
}
