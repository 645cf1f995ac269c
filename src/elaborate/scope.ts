// Variables of one block invocation. `if` and `repeat` bodies share their block's scope (as in
// Python); a `let v = { … }` pipeline runs in a child scope so its lets stay inside it.

import type { Span } from "../source/span";
import type { Value } from "./values";

export class Scope {
  private readonly vars = new Map<string, Value>();
  /** Where a name was last set by a statement (`let x = 5`), for errors about its value. */
  private readonly places = new Map<string, Span>();

  constructor(private readonly parent?: Scope) {}

  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }

  set(name: string, value: Value, place?: Span): void {
    this.vars.set(name, value);
    if (place) this.places.set(name, place);
    else this.places.delete(name);
  }

  /** The statement that last set `name`, where one did (layers set `x` without one). */
  placeOf(name: string): Span | undefined {
    return this.vars.has(name) ? this.places.get(name) : this.parent?.placeOf(name);
  }

  child(): Scope {
    return new Scope(this);
  }

  names(): string[] {
    return [...new Set([...this.vars.keys(), ...(this.parent?.names() ?? [])])];
  }
}
