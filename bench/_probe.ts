import { CodeModeSession, defineTool } from "/work/main/ts/mod.ts";
const echo = defineTool({ name: "echo", description: "e", inputSchema: { type: "object", properties: { i: { type: "number" } }, required: ["i"] }, run: (a: { i: number }) => a.i });
const s = new CodeModeSession({ tools: [echo], pool: 2 });
await new Promise(r => setTimeout(r, 1000));
for (let k = 0; k < 10; k++) {
  const t = performance.now();
  const r = await s.execTool('text("bench")');
  console.log((performance.now() - t).toFixed(2), JSON.stringify(r).slice(0, 200));
  await new Promise(r => setTimeout(r, 500));
}
await new Promise(r => setTimeout(r, 500)); const t = performance.now();
const p = await s.exec('for (let i = 0; i < 100; i++) await tools.echo({ i }); text("bench")');
console.log((performance.now() - t).toFixed(2), JSON.stringify(p).slice(0, 300));
await s.close();
