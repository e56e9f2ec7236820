/**
 * `npm start`: a scripted agent transcript on built-in example tools. Each step is a tool call a model would make
 * (`exec` or `wait`), printed with exactly what the model would see back. Needs no setup and no network.
 *
 * @module
 */
import { z } from "zod";
import { CodeModeSession, defineTool, type ToolResponse } from "../ts/mod.ts";

const RED_DOT =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC";

const orders = new Map([
  ["A-1", { customer: "ada", total: 120, status: "shipped" }],
  ["A-2", { customer: "bob", total: 35, status: "pending" }],
  ["A-3", { customer: "ada", total: 80, status: "pending" }],
]);

const tools = [
  defineTool({
    name: "list_orders",
    description: "List order ids, optionally only those with a status.",
    input: z.object({ status: z.enum(["pending", "shipped"]).optional() }),
    output: z.array(z.string()),
    run: ({ status }) => [...orders].filter(([, o]) => !status || o.status === status).map(([id]) => id),
  }),
  defineTool({
    name: "get_order",
    description: "Fetch one order by id.",
    input: z.object({ id: z.string() }),
    output: z.object({ customer: z.string(), total: z.number(), status: z.string() }),
    run: async ({ id }) => {
      await new Promise((resolve) => setTimeout(resolve, 20)); // a slow backend
      const order = orders.get(id);
      if (!order) throw new Error(`no order ${id}`);
      return order;
    },
  }),
  defineTool({
    name: "render_chart",
    description: "Render a chart of numbers as a PNG data URL.",
    input: z.object({ values: z.array(z.number()) }),
    run: () => ({ image_url: RED_DOT }),
  }),
];

function show(call: string, args: string, out: ToolResponse): void {
  console.log(`\n\x1b[1m> ${call}\x1b[0m ${args}`);
  console.log(`  success: ${out.success}`);
  for (const item of out.items) {
    const text = item.type === "input_text" ? item.text : `[image ${item.detail}, ${item.image_url.length} bytes]`;
    console.log(text.replace(/\n$/, "").split("\n").map((line) => `  | ${line}`).join("\n"));
  }
}

const session = new CodeModeSession({
  tools,
  onNotify: ({ cellId, text }) => console.log(`  (notify from cell ${cellId}: ${text})`),
});
try {
  const steps: [string, string][] = [
    [
      "exec",
      `// Sum pending orders per customer; the tool calls run concurrently.
const ids = await tools.list_orders({ status: "pending" });
const found = await Promise.all(ids.map((id) => tools.get_order({ id })));
const byCustomer: Record<string, number> = {};
for (const o of found) byCustomer[o.customer] = (byCustomer[o.customer] ?? 0) + o.total;
store("pending", byCustomer);
text(byCustomer);`,
    ],
    ["exec", `const chart = await tools.render_chart({ values: Object.values(load("pending")) });\nimage(chart.image_url, "low");\ntext("chart attached");`],
    [
      "exec",
      `// @exec: {"yield_time_ms": 500}
notify("checking every order, this takes a while");
const ids = await tools.list_orders({});
text(\`checking \${ids.length} orders\`);
yield_control(); // the model gets control back now; the cell keeps running
for (const id of ids) {
  text(id + ": " + (await tools.get_order({ id })).status);
  await new Promise((r) => setTimeout(r, 100));
}`,
    ],
    ["wait", JSON.stringify({ cell_id: "3", yield_time_ms: 5000 })],
    ["exec", `// @exec: {"yield_time_ms": 200}\ntext("polling forever"); while (true) {}`],
    ["wait", JSON.stringify({ cell_id: "4", terminate: true })],
    ["exec", `try { await tools.get_order({ id: "nope" }); } catch (e) { text("tool error: " + e.message); }\nthrow new Error("a bug in the cell")`],
  ];
  for (const [call, args] of steps) {
    const out = call === "exec" ? await session.execTool(args) : await session.waitTool(JSON.parse(args));
    show(call, call === "exec" ? "\n" + args.split("\n").map((l) => `    ${l}`).join("\n") : args, out);
    // The third cell yields early: the model "thinks" while the cell keeps going, then peeks at its progress.
    if (call === "exec" && args.includes("checking every order")) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      show("wait", JSON.stringify({ cell_id: "3", yield_time_ms: 0 }), await session.waitTool({ cell_id: "3", yield_time_ms: 0 }));
    }
  }
} finally {
  await session.close();
}
