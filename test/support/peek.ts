/**
 * Test-only peeks at state hubwire keeps in closures (HubConnection's core, HttpConnection, the
 * transports and the stateful-reconnect buffer keep theirs in constructor closures, not in
 * members), through the V8 inspector of this very process: no public API, nothing in src/.
 *
 *   const core = closureOf((connection as any)._call);   // createCore's variables, as they are now
 *   core.calls.size
 *
 * Each call reads the variables' current values (a `let` reassigned later is not followed: peek
 * again). Node only; synchronous (an in-process inspector session answers at once).
 */
import { Session } from "node:inspector";

let session: Session | undefined;

/** Posts an inspector command and returns its answer (same-thread sessions answer synchronously). */
function post<T>(method: string, params: object): T {
  if (!session) {
    session = new Session();
    session.connect();
  }
  let answer: { error: Error | null; result?: T } | undefined;
  session.post(method, params, (error, result) => (answer = { error, result: result as T }));
  if (!answer) throw new Error(`The inspector did not answer ${method} synchronously`);
  if (answer.error) throw answer.error;
  return answer.result as T;
}

type RemoteObject = { objectId?: string; description?: string; value?: unknown };
type Property = { name: string; value?: RemoteObject };

const GROUP = "hubwire-peek";
const HANDOFF = "__hubwirePeek";

/** Hands a remote object back as the real object. */
function fetchObject(objectId: string): any {
  post("Runtime.callFunctionOn", { objectId, objectGroup: GROUP, functionDeclaration: `function () { globalThis.${HANDOFF} = this; }` });
  const object = (globalThis as any)[HANDOFF];
  delete (globalThis as any)[HANDOFF];
  return object;
}

/**
 * The variables `fn` closes over, from the scopes it was created in (innermost wins; module and
 * global scopes left out), with their current values. Only variables some closure uses are there:
 * V8 keeps no others.
 */
export function closureOf(fn: Function): Record<string, any> {
  (globalThis as any)[HANDOFF] = fn;
  try {
    const { result } = post<{ result: RemoteObject }>("Runtime.evaluate", { expression: `globalThis.${HANDOFF}`, objectGroup: GROUP });
    const { internalProperties = [] } = post<{ internalProperties?: Property[] }>("Runtime.getProperties", { objectId: result.objectId, ownProperties: true });
    const scopes = internalProperties.find((property) => property.name === "[[Scopes]]");
    if (!scopes || !scopes.value || !scopes.value.objectId) throw new Error("No [[Scopes]] on that function");
    const list = post<{ result: Property[] }>("Runtime.getProperties", { objectId: scopes.value.objectId, ownProperties: true }).result;
    const variables: Record<string, any> = {};
    // Outermost first, so inner scopes overwrite names they shadow.
    for (const scope of list.filter((entry) => /^(Closure|Block|Local)/.test(entry.value?.description ?? "")).reverse()) {
      for (const { name, value } of post<{ result: Property[] }>("Runtime.getProperties", { objectId: scope.value!.objectId!, ownProperties: true }).result) {
        variables[name] = value && value.objectId ? fetchObject(value.objectId) : value && value.value;
      }
    }
    return variables;
  } finally {
    delete (globalThis as any)[HANDOFF];
    // The inspector keeps what it handed out until released: it must not hold hubwire's objects.
    post("Runtime.releaseObjectGroup", { objectGroup: GROUP });
  }
}
