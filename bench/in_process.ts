/**
 * What the peers that run cells inside the host process (isolated-vm, node:vm, quickjs) share: how a cell, a
 * burst and held cells are timed and checked. A subclass says how to start a cell and what to free after it.
 *
 * @module
 */
import {
  type BenchTool,
  expectBench,
  type Gate,
  HOLD_CELL,
  now,
  type Peer,
  TEXT_CELL,
  toolLoopCell,
} from "./adapter.ts";

/** A started cell: the texts it emitted, and when its async body has completed. */
export interface InProcessCell {
  texts: string[];
  done: Promise<unknown>;
}

/** A peer whose isolation unit lives in the host: no child processes, nothing kept warm beyond what it says. */
export abstract class InProcessPeer<Cell extends InProcessCell> implements Peer {
  abstract readonly name: string;
  abstract readonly version: string;
  abstract readonly note: string;
  readonly hasTools = true;
  protected tools: readonly BenchTool[] = [];
  #gate: Gate | undefined;

  /** Starts `source` as a cell. */
  protected abstract start(source: string): Cell;

  /** Frees what a finished cell holds; runs after its time was taken (as a codecell sandbox exits after its reply). */
  protected release(_cell: Cell): void {}

  setup(tools: readonly BenchTool[], gate: Gate): Promise<void> {
    this.tools = tools;
    this.#gate = gate;
    return Promise.resolve();
  }

  /** Times one cell from start to completion and checks its output. */
  protected async timeCell(source: string, start: (source: string) => Cell = (s) => this.start(s)): Promise<number> {
    const began = now();
    const cell = start(source);
    await cell.done;
    const ms = now() - began;
    this.release(cell);
    expectBench(this.name, cell.texts);
    return ms;
  }

  /** The same operation as `warm` unless the peer keeps something between cells. */
  cold(): Promise<number> {
    return this.timeCell(TEXT_CELL);
  }

  warm(): Promise<number> {
    return this.timeCell(TEXT_CELL);
  }

  toolCalls(calls: number): Promise<number> {
    return this.timeCell(toolLoopCell(calls));
  }

  cell(source: string): Promise<number> {
    return this.timeCell(source);
  }

  async burst(cells: number): Promise<number> {
    const began = now();
    const running = Array.from({ length: cells }, () => this.start(TEXT_CELL));
    await Promise.all(running.map((cell) => cell.done));
    const ms = now() - began;
    for (const cell of running) {
      this.release(cell);
      expectBench(this.name, cell.texts);
    }
    return ms;
  }

  async hold(cells: number): Promise<() => Promise<void>> {
    const gate = this.#gate!;
    const running = Array.from({ length: cells }, () => this.start(HOLD_CELL));
    await gate.whenArrived(cells);
    return async () => {
      gate.open();
      await Promise.all(running.map((cell) => cell.done));
      for (const cell of running) this.release(cell);
    };
  }

  idleProcesses(): number {
    return 0;
  }

  teardown(): Promise<void> {
    return Promise.resolve();
  }
}
