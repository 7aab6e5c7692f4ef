// Copies of a Map's keys or values, made with forEach rather than a spread: a spread of a
// Map iterator goes through Array.from and Symbol.iterator, which do not agree where an
// ES5 bundle polyfills Symbol next to a native Array.from (the polyfilled iterator is
// invisible to it and the copy comes out empty).

/** The keys of `map`, in insertion order. */
export function keysOf<K, V>(map: Map<K, V>): K[] {
  const keys: K[] = [];
  map.forEach((_value, key) => keys.push(key));
  return keys;
}

/** The values of `map`, in insertion order. */
export function valuesOf<K, V>(map: Map<K, V>): V[] {
  const values: V[] = [];
  map.forEach((value) => values.push(value));
  return values;
}
