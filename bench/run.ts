/**
 * `deno task bench` — the five performance targets of issue 6, each as a ratio against a ceiling
 * measured in the same run (this machine is small and shared), plus absolute figures. Writes
 * BENCHMARKS.md (and bench/results/latest.json).
 *
 *   deno task bench [--only=1,3] [--quick] [--out=FILE] [--commit=REF] [--render]
 *
 * --commit measures a commit (exported to a temporary folder, with this bench/) rather than the
 * working tree, for a record that others' half-done edits cannot disturb.
 *
 * BENCH_DATABASE_URL (a PostgreSQL server where throwaway databases may be created) adds the
 * PostgreSQL runs of targets 1–3 next to SQLite's; unset, those rows say "not run".
 *
 * Installs its load generator (wrk, from Debian) through bench/setup.sh when missing. Every load
 * loop is bounded in count and in time, and targets only 127.0.0.1.
 */
import type { BenchContext, Row, TargetResult } from "./common.ts";
import { BENCH_DIR, log, ROOT, run } from "./lib.ts";
import { libraryBench } from "./t1_library.ts";
import { fanoutBench } from "./t2_fanout.ts";
import { pollingBench } from "./t3_polling.ts";
import { streamingBench } from "./t4_streaming.ts";
import { startBench } from "./t5_start.ts";

const args = new Map(Deno.args.map((a) => {
  const [k, ...v] = a.replace(/^--/, "").split("=");
  return [k, v.length ? v.join("=") : "1"] as const;
}));
const only = args.get("only")?.split(",").map(Number);
const quick = args.has("quick");
const defaultOut = `${ROOT}BENCHMARKS.md`;
const out = args.get("out") ?? defaultOut;
/** The raw results beside the report: bench/results/latest.json for BENCHMARKS.md itself. */
const resultsPath = args.get("results") ??
  (out === defaultOut ? `${BENCH_DIR}results/latest.json` : out.replace(/\.md$/, "") + ".json");
const command = args.get("label") ??
  `deno task bench${Deno.args.length ? " " + Deno.args.join(" ") : ""}`;

// --render: rewrite BENCHMARKS.md from bench/results/latest.json (after editing bench/analysis.md).
if (args.has("render")) {
  const saved = JSON.parse(await Deno.readTextFile(args.get("from") ?? resultsPath)) as Saved;
  await Deno.writeTextFile(out, await markdown(saved));
  log(`wrote ${out} from ${args.get("from") ?? resultsPath}`);
  Deno.exit(0);
}

// --commit=REF: measure that commit instead of the working tree (which other people may be in
// the middle of editing): export it to a temporary folder, put this bench/ in it, run there.
if (args.has("commit")) {
  const ref = args.get("commit") === "1" ? "HEAD" : args.get("commit")!;
  const snapshot = await Deno.makeTempDir({ prefix: "sora-bench-src-" });
  const archive = await run(
    "sh",
    ["-c", `git archive "$1" | tar -x -C "$2"`, "sh", ref, snapshot],
    { cwd: ROOT },
  );
  if (archive.code !== 0) throw new Error(`git archive ${ref}: ${archive.stderr}`);
  await run("rm", ["-rf", `${snapshot}/bench`]);
  await run("cp", ["-r", BENCH_DIR, `${snapshot}/bench`]);
  const sha = (await run("git", ["rev-parse", "--short", ref], { cwd: ROOT })).stdout.trim();
  const rest = Deno.args.filter((a) =>
    !a.startsWith("--commit") && !a.startsWith("--out") && !a.startsWith("--results")
  );
  log(`measuring commit ${sha} from ${snapshot}`);
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-all",
      `${snapshot}/bench/run.ts`,
      ...rest,
      `--out=${out}`,
      `--results=${resultsPath}`,
      `--label=${command}`,
      `--source=${sha}`,
    ],
    cwd: snapshot,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  await Deno.remove(snapshot, { recursive: true }).catch(() => {});
  Deno.exit(child.code);
}

const setup = await new Deno.Command("sh", {
  args: [`${BENCH_DIR}setup.sh`],
  stdout: "inherit",
  stderr: "inherit",
})
  .output();
if (setup.code !== 0) throw new Error("bench/setup.sh failed: wrk and curl are needed");

const work = await Deno.makeTempDir({ prefix: "sora-bench-" });
const ctx: BenchContext = { work, quick };
const targets: [number, (ctx: BenchContext) => Promise<TargetResult>][] = [
  [1, libraryBench],
  [2, fanoutBench],
  [3, pollingBench],
  [4, streamingBench],
  [5, startBench],
];

const facts = await machineFacts();
log(`machine: ${facts.cpu}, ${facts.nproc} cores, load ${facts.load}; work dir ${work}`);
const started = performance.now();
const results: TargetResult[] = [];
const failures: { id: number; error: string }[] = [];
for (const [id, bench] of targets) {
  if (only && !only.includes(id)) continue;
  log(`target ${id} …`);
  try {
    const result = await bench(ctx);
    results.push(result);
    log(`target ${id} done in ${result.seconds.toFixed(0)} s`);
    for (const row of result.rows) {
      log(
        `  ${row.ok === null ? "·" : row.ok ? "✓" : "✗"} ${row.metric}: ${row.value}` +
          (row.ratio ? ` (${row.ratio})` : "") + ` — target ${row.target}`,
      );
    }
  } catch (error) {
    log(`target ${id} failed:`, error);
    failures.push({ id, error: String((error as Error)?.stack ?? error) });
  }
}
const totalSeconds = (performance.now() - started) / 1000;
facts.loadAfter = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");

const json = { date: new Date().toISOString(), command, totalSeconds, facts, results, failures };
await Deno.mkdir(resultsPath.slice(0, resultsPath.lastIndexOf("/")), { recursive: true });
await Deno.writeTextFile(resultsPath, JSON.stringify(json, null, 2));
await Deno.writeTextFile(out, await markdown(json));
log(`wrote ${out} (total ${totalSeconds.toFixed(0)} s)`);
await Deno.remove(work, { recursive: true }).catch(() => {});
Deno.exit(failures.length ? 1 : 0);

// ---------------------------------------------------------------------------------------------

async function machineFacts() {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  const git = async (...a: string[]) => (await run("git", a, { cwd: ROOT })).stdout.trim();
  const wrkVersion = (await run("wrk", ["--version"])).stdout.split("\n")[0].trim();
  return {
    nproc: navigator.hardwareConcurrency,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    memGb: Math.round(Number(/^MemTotal:\s+(\d+)/m.exec(meminfo)?.[1] ?? 0) / 1024 / 1024),
    kernel: (await Deno.readTextFile("/proc/sys/kernel/osrelease")).trim(),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    wrk: wrkVersion,
    load: (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" "),
    loadAfter: "",
    commit: args.get("source") ?? await git("rev-parse", "--short", "HEAD"),
    exported: args.has("source"),
    dirtyFiles: args.has("source")
      ? 0
      : (await git("status", "--porcelain", "--", ".", ":!bench", ":!BENCHMARKS.md"))
        .split("\n").filter(Boolean).length,
  };
}

function status(row: Row): string {
  if (row.ok === null) return "—";
  return row.ok ? "**met**" : `**missed**${row.gap ? ` (${row.gap})` : ""}`;
}

interface Saved {
  date: string;
  command: string;
  totalSeconds: number;
  facts: Awaited<ReturnType<typeof machineFacts>>;
  results: TargetResult[];
  failures: { id: number; error: string }[];
}

async function markdown(r: Saved): Promise<string> {
  const f = r.facts;
  const lines: string[] = [
    "# Benchmarks",
    "",
    "Produced by `" + r.command +
    "` (bench/run.ts; how each figure is measured: bench/README.md). " +
    "Every figure that has a target is a **ratio against a ceiling measured in the same run** where one " +
    "exists, because this machine is small and shared; absolute figures are given for reference.",
    "",
    `- Date: ${r.date.slice(0, 16).replace("T", " ")} UTC; whole run ${
      r.totalSeconds.toFixed(0)
    } s`,
    `- Machine: ${f.nproc} cores (\`nproc\`), CPU \`${f.cpu}\` (/proc/cpuinfo), ${f.memGb} GB RAM, Linux ${f.kernel}; ` +
    `load average ${f.load} before, ${f.loadAfter} after (other engineers' tests share it)`,
    `- Deno ${f.deno} (V8 ${f.v8}), ${f.wrk}`,
    `- App: commit ${f.commit}` +
    (f.dirtyFiles
      ? ` plus ${f.dirtyFiles} uncommitted file(s) in the working tree at the time`
      : f.exported
      ? " exactly (exported with `git archive`, run with this bench/)"
      : ""),
    "",
    "## Results",
    "",
    "| # | measure | app | ceiling (same run) | ratio | target | status |",
    "| - | ------- | --- | ------------------ | ----- | ------ | ------ |",
  ];
  for (const t of r.results) {
    for (const row of t.rows) {
      lines.push(
        `| ${t.id} | ${row.metric} | ${row.value} | ${row.ceiling ?? "—"} | ${
          row.ratio ?? "—"
        } | ${row.target} | ${status(row)} |`,
      );
    }
  }
  for (const fail of r.failures) {
    lines.push(`| ${fail.id} | (the benchmark failed, see below) | | | | | **error** |`);
  }
  lines.push("");
  for (const t of r.results) {
    lines.push(
      `### ${t.id}. ${t.title}`,
      "",
      ...t.details.map((d) => `- ${d}`),
      `- Took ${t.seconds.toFixed(0)} s.`,
      "",
    );
  }
  for (const fail of r.failures) {
    lines.push(`### ${fail.id}. failed`, "", "```", fail.error.slice(0, 2000), "```", "");
  }
  const analysis = await Deno.readTextFile(`${BENCH_DIR}analysis.md`).catch(() => "");
  if (analysis) lines.push(analysis.trim(), "");
  return lines.join("\n");
}
