/**
 * Where things are in a TOML file: the place of every key and every string value, by its path
 * (`project.dependencies[2]`, `package[5].name`, `tool.poetry.dependencies.numpy`).
 *
 * Stage: readiness. smol-toml gives the values (and says when a file is not TOML) but no places;
 * this scanner walks the text once (tables, arrays of tables, dotted and quoted keys, arrays and
 * inline tables spanning lines, the four string forms, comments) so each value read through
 * smol-toml can be pointed at. It is lenient: on text it does not understand it stops, and the
 * places found so far stand.
 */
import type { Span } from '../../facts/types.js';
import { Lines } from '../lines.js';

/** Keys and array indices from the document root. */
export type TomlPath = (string | number)[];

/** A string value's place: the whole literal, and where its content starts. */
export interface TomlString {
  span: Span;
  /** Line and column of the content's first character. */
  content: { line: number; column: number };
  /** The content is written as it reads (no escapes, one line), so offsets into the value are columns. */
  verbatim: boolean;
}

/** Places by path key (see `pathKey`): `strings` for string values, `keys` for the key naming a value. */
export interface TomlPlaces {
  strings: Map<string, TomlString>;
  keys: Map<string, Span>;
  /** Header line of each table and array-of-tables element (`[tool.cibuildwheel]`). */
  tables: Map<string, Span>;
}

/** `a.b[2].c` (segments JSON-quoted, so dots in keys stay unambiguous). */
export function pathKey(path: TomlPath): string {
  return path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${JSON.stringify(p)}`)).join('');
}

/** The places of every key and string value of `text`. */
export function tomlPlaces(text: string): TomlPlaces {
  const places: TomlPlaces = { strings: new Map(), keys: new Map(), tables: new Map() };
  try {
    new Scanner(text, places).run();
  } catch {
    // Not understood from here on; what was found stands.
  }
  return places;
}

const BARE_KEY = /[A-Za-z0-9_-]+/y;

class Scanner {
  private i = 0;
  private readonly loc: Lines;
  /** Count of elements of each array of tables, by path key. */
  private readonly arrayTables = new Map<string, number>();

  constructor(private readonly text: string, private readonly places: TomlPlaces) {
    this.loc = new Lines(text);
  }

  run(): void {
    let table: TomlPath = [];
    for (;;) {
      this.skipBlank(true);
      if (this.i >= this.text.length) return;
      const start = this.i;
      if (this.text[this.i] === '[') {
        const array = this.text[this.i + 1] === '[';
        this.i += array ? 2 : 1;
        const keys = this.readKey().map((k) => k.key);
        this.skipSpaces();
        this.expect(array ? ']]' : ']');
        table = this.resolveTable(keys, array);
        this.places.tables.set(pathKey(table), this.loc.span(start, this.i));
        this.endOfLine();
        continue;
      }
      this.readKeyValue(table);
      this.endOfLine();
    }
  }

  /** A header's path, with the current element index inserted after each array of tables. */
  private resolveTable(keys: string[], array: boolean): TomlPath {
    const path: TomlPath = [];
    keys.forEach((key, n) => {
      path.push(key);
      const id = pathKey(path);
      if (array && n === keys.length - 1) {
        const count = this.arrayTables.get(id) ?? 0;
        this.arrayTables.set(id, count + 1);
        path.push(count);
      } else if (this.arrayTables.has(id)) {
        path.push(this.arrayTables.get(id)! - 1);
      }
    });
    return path;
  }

  private readKeyValue(base: TomlPath): void {
    const keys = this.readKey();
    const path = [...base, ...keys.map((k) => k.key)];
    this.places.keys.set(pathKey(path), keys[keys.length - 1].span);
    this.skipSpaces();
    this.expect('=');
    this.skipSpaces();
    this.readValue(path);
  }

  private readKey(): { key: string; span: Span }[] {
    const keys: { key: string; span: Span }[] = [];
    for (;;) {
      this.skipSpaces();
      const start = this.i;
      const c = this.text[this.i];
      let key: string;
      if (c === '"' || c === "'") key = this.readString();
      else {
        BARE_KEY.lastIndex = this.i;
        const m = BARE_KEY.exec(this.text);
        if (!m) throw new Error('key expected');
        key = m[0];
        this.i += key.length;
      }
      keys.push({ key, span: this.loc.span(start, this.i) });
      this.skipSpaces();
      if (this.text[this.i] !== '.') return keys;
      this.i++;
    }
  }

  private readValue(path: TomlPath): void {
    const c = this.text[this.i];
    if (c === '"' || c === "'") {
      const start = this.i;
      const read = this.readStringPlace();
      const span = this.loc.span(start, this.i);
      const content = this.loc.span(read.contentStart, read.contentStart);
      this.places.strings.set(pathKey(path), { span, content: { line: content.line, column: content.column }, verbatim: read.verbatim });
    } else if (c === '[') {
      this.i++;
      let n = 0;
      for (;;) {
        this.skipBlank(true);
        if (this.text[this.i] === ']') {
          this.i++;
          return;
        }
        this.readValue([...path, n++]);
        this.skipBlank(true);
        if (this.text[this.i] === ',') this.i++;
        else if (this.text[this.i] !== ']') throw new Error('`,` or `]` expected');
      }
    } else if (c === '{') {
      this.i++;
      for (;;) {
        this.skipBlank(true);
        if (this.text[this.i] === '}') {
          this.i++;
          return;
        }
        this.readKeyValue(path);
        this.skipBlank(true);
        if (this.text[this.i] === ',') this.i++;
        else if (this.text[this.i] !== '}') throw new Error('`,` or `}` expected');
      }
    } else {
      // Numbers, booleans, dates: up to a delimiter.
      const m = /[^\s,\]}#]+(?: [0-9][^\s,\]}#]*)?/y;
      m.lastIndex = this.i;
      const got = m.exec(this.text);
      if (!got) throw new Error('value expected');
      this.i += got[0].length;
    }
  }

  /** Reads any of the four string forms and returns its value. */
  private readString(): string {
    return this.readStringPlace().value;
  }

  private readStringPlace(): { value: string; contentStart: number; verbatim: boolean } {
    const t = this.text;
    const quote = t[this.i];
    const multi = t.startsWith(quote.repeat(3), this.i);
    const delim = multi ? quote.repeat(3) : quote;
    this.i += delim.length;
    if (multi && t[this.i] === '\n') this.i++;
    else if (multi && t.startsWith('\r\n', this.i)) this.i += 2;
    const contentStart = this.i;
    let verbatim = true;
    let out = '';
    for (;;) {
      if (this.i >= t.length) throw new Error('unterminated string');
      if (t.startsWith(delim, this.i)) {
        // Up to two quotes may close a multi-line string's content.
        let extra = 0;
        while (multi && extra < 2 && t[this.i + delim.length + extra] === quote) extra++;
        out += quote.repeat(extra);
        this.i += delim.length + extra;
        return { value: out, contentStart, verbatim };
      }
      const c = t[this.i];
      if (!multi && c === '\n') throw new Error('newline in string');
      if (c === '\n') verbatim = false;
      if (c === '\\' && quote === '"') {
        verbatim = false;
        const next = t[this.i + 1];
        if (multi && /[ \t\r\n]/.test(next)) {
          // A line-ending backslash trims the whitespace after it.
          this.i++;
          while (/[ \t\r\n]/.test(t[this.i] ?? '')) this.i++;
          continue;
        }
        const simple: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };
        if (next in simple) {
          out += simple[next];
          this.i += 2;
        } else if (next === 'u' || next === 'U' || next === 'x') {
          const len = next === 'u' ? 4 : next === 'U' ? 8 : 2;
          out += String.fromCodePoint(parseInt(t.slice(this.i + 2, this.i + 2 + len), 16));
          this.i += 2 + len;
        } else throw new Error('bad escape');
        continue;
      }
      out += c;
      this.i++;
    }
  }

  private skipSpaces(): void {
    while (this.text[this.i] === ' ' || this.text[this.i] === '\t') this.i++;
  }

  /** Skips spaces, comments and (when `newlines`) line ends. */
  private skipBlank(newlines: boolean): void {
    for (;;) {
      const c = this.text[this.i];
      if (c === ' ' || c === '\t' || (newlines && (c === '\n' || c === '\r'))) this.i++;
      else if (c === '#') while (this.i < this.text.length && this.text[this.i] !== '\n') this.i++;
      else return;
    }
  }

  private endOfLine(): void {
    this.skipBlank(false);
    if (this.i < this.text.length && this.text[this.i] !== '\n' && this.text[this.i] !== '\r') throw new Error('end of line expected');
  }

  private expect(s: string): void {
    if (!this.text.startsWith(s, this.i)) throw new Error(`\`${s}\` expected`);
    this.i += s.length;
  }
}
