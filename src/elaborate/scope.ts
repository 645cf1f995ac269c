// Variables of one block invocation. `if` and `repeat` bodies share their block's scope (as in
// Python); a `let v = { … }` pipeline runs in a child scope so its lets stay inside it.

import type { Value } from "./values";

export class Scope {
  private readonly vars = new Map<string, Value>();

  constructor(private readonly parent?: Scope) {}

  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }

  set(name: string, value: Value): void {
    this.vars.set(name, value);
  }

  child(): Scope {
    return new Scope(this);
  }

  names(): string[] {
    return [...new Set([...this.vars.keys(), ...(this.parent?.names() ?? [])])];
  }
}
