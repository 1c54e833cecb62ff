/**
 * Where each object key of a JSON document is (the characters inside its quotes), by path, so a
 * package named in Pipfile.lock can be pointed at.
 *
 * Stage: readiness. Called only on text JSON.parse accepted.
 */
import type { Span } from '../../facts/types.js';
import { pathKey, type TomlPath } from './toml-places.js';
import { Lines } from '../lines.js';

/** The place of each object key, by path key (see toml-places `pathKey`). */
export function jsonKeyPlaces(text: string): Map<string, Span> {
  const loc = new Lines(text);
  const places = new Map<string, Span>();
  /** For each open container: its path, whether it is an object, the next array index, and the last key read. */
  const stack: { path: TomlPath; object: boolean; index: number; key?: string }[] = [];
  let expectingKey = false;
  const childPath = (): TomlPath => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    return top.object ? [...top.path, top.key ?? ''] : [...top.path, top.index];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let value = '';
      while (text[j] !== '"') {
        if (text[j] === '\\') {
          value += JSON.parse(`"${text.slice(j, text[j + 1] === 'u' ? j + 6 : j + 2)}"`) as string;
          j += text[j + 1] === 'u' ? 6 : 2;
        } else value += text[j++];
      }
      const top = stack[stack.length - 1];
      if (expectingKey && top?.object) {
        top.key = value;
        places.set(pathKey([...top.path, value]), loc.span(i + 1, j));
        expectingKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ path: childPath(), object: c === '{', index: 0 });
      expectingKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.object) expectingKey = true;
      else if (top) top.index++;
    }
  }
  return places;
}
