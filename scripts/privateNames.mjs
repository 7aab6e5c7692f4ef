// Short names for hubwire's private members, applied by the build (rollup.config.mjs).
//
// Convention in src/: a property whose name starts with one underscore and a letter (`_send`,
// `_pending`) is internal to hubwire — a private class member or a member of an internal
// object. It never appears on the wire, in a user's object or in the public API. The build
// renames every such property to a short name, the same name in every module and every
// output (ESM, CJS, UMD bundles), so code in one chunk still finds a member set in another.
// Tests run the sources and see the long names.
//
// Only property positions are renamed (`x._a`, `{ _a: 1 }`, `{ _a }`, class members and parameter
// properties, destructuring); variables and parameters named `_x` are left alone. Computed access with a
// string (`x["_a"]`) is not renamed, so don't write it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

/** Underscore names that must keep their spelling: option names the official client reads. */
const keep = new Set(["_useStatefulReconnect"]);

const privateName = /^_[A-Za-z][\w$]*$/;

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** a, b, …, z, A, …, Z, aa, ab, … */
function* shortNames() {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  for (let length = 1; ; length++) {
    const indexes = new Array(length).fill(0);
    for (;;) {
      yield indexes.map((i) => letters[i]).join("");
      let position = length - 1;
      while (position >= 0 && ++indexes[position] === letters.length) indexes[position--] = 0;
      if (position < 0) break;
    }
  }
}

/** Whether `node` is an identifier in a property position: `x.name`, `{ name: … }`, a member or signature name. */
function isPropertyName(node) {
  const parent = node.parent;
  if (!ts.isIdentifier(node) || !parent) return false;
  // A parameter property (`constructor(private _x)`) names a member too.
  if (ts.isParameter(parent)) return parent.name === node && !!ts.getModifiers(parent)?.length;
  if (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent)) return parent.name === node || parent.right === node;
  if (ts.isBindingElement(parent)) return parent.propertyName === node || (!parent.propertyName && ts.isObjectBindingPattern(parent.parent));
  return (
    (ts.isShorthandPropertyAssignment(parent) || ts.isPropertyAssignment(parent) || ts.isClassElement(parent) || ts.isTypeElement(parent) || ts.isEnumMember(parent)) &&
    parent.name === node
  );
}

/**
 * Maps each private name used in `srcDir` to a short name, the most used first. Short names
 * avoid every property name and string in the sources (so no public member, wire field or
 * platform property can be shadowed) and JavaScript's own property names.
 */
export function privateNameMap(srcDir) {
  const counts = new Map();
  const taken = new Set(Object.getOwnPropertyNames(Object.prototype).concat(Object.getOwnPropertyNames(Function.prototype), Object.getOwnPropertyNames(Error.prototype)));
  for (const path of sourceFiles(srcDir)) {
    const file = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node) => {
      if (ts.isStringLiteralLike(node)) taken.add(node.text);
      else if (isPropertyName(node)) {
        if (privateName.test(node.text) && !keep.has(node.text)) counts.set(node.text, (counts.get(node.text) ?? 0) + 1);
        else taken.add(node.text);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  const names = shortNames();
  const map = new Map();
  for (const [name] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    let short;
    do short = names.next().value;
    while (taken.has(short));
    map.set(name, short);
  }
  return map;
}

/**
 * A TypeScript `after` transformer (it runs on the JavaScript TypeScript emits, where class
 * fields and parameter properties are already `this._x = …`) that renames private property
 * names by `map`.
 */
export function renamePrivateMembers(map) {
  return (context) => {
    const { factory } = context;
    const renamed = (name) => (ts.isIdentifier(name) && map.has(name.text) ? factory.createIdentifier(map.get(name.text)) : undefined);
    const visit = (node) => {
      if (ts.isPropertyAccessExpression(node)) {
        const name = renamed(node.name);
        if (name) return factory.updatePropertyAccessExpression(node, ts.visitNode(node.expression, visit), name);
      } else if (ts.isShorthandPropertyAssignment(node)) {
        const name = renamed(node.name);
        if (name) return factory.createPropertyAssignment(name, factory.createIdentifier(node.name.text));
      } else if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
        const name = renamed(node.propertyName ?? node.name);
        if (name) return factory.updateBindingElement(node, node.dotDotDotToken, name, ts.visitNode(node.name, visit), ts.visitNode(node.initializer, visit));
      } else if (
        (ts.isPropertyDeclaration(node) || ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node) || ts.isPropertyAssignment(node)) &&
        renamed(node.name)
      ) {
        const updated = ts.visitEachChild(node, visit, context);
        return rename(factory, updated, renamed(node.name));
      }
      return ts.visitEachChild(node, visit, context);
    };
    return (file) => ts.visitNode(file, visit);
  };
}

function rename(factory, node, name) {
  if (ts.isPropertyDeclaration(node)) return factory.updatePropertyDeclaration(node, node.modifiers, name, node.questionToken ?? node.exclamationToken, node.type, node.initializer);
  if (ts.isMethodDeclaration(node))
    return factory.updateMethodDeclaration(node, node.modifiers, node.asteriskToken, name, node.questionToken, node.typeParameters, node.parameters, node.type, node.body);
  if (ts.isGetAccessorDeclaration(node)) return factory.updateGetAccessorDeclaration(node, node.modifiers, name, node.parameters, node.type, node.body);
  if (ts.isSetAccessorDeclaration(node)) return factory.updateSetAccessorDeclaration(node, node.modifiers, name, node.parameters, node.body);
  return factory.updatePropertyAssignment(node, name, node.initializer);
}
