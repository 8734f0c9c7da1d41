// Which execution provider ran each node of a graph, read from onnxruntime's profile of one run: a
// session created for a GPU provider still runs every node that provider has no kernel for on the CPU,
// silently, so "the session is on webgpu" alone does not say where the work happened.

/** Per provider (short name: `webgpu`, `cpu`, …): nodes it ran, and how many of each operator. */
export type NodePlacement = Record<string, { nodes: number; ops: Record<string, number> }>;

interface ProfileEvent {
  cat?: string;
  name?: string;
  args?: { provider?: string; op_name?: string };
}

/** `WebGpuExecutionProvider` → `webgpu`, `CPUExecutionProvider` → `cpu`. */
export function shortProviderName(name: string): string {
  return name.replace(/ExecutionProvider$/, '').toLowerCase();
}

/**
 * Counts the nodes of one run by provider from onnxruntime's profile (a JSON array of trace events):
 * each node that ran has a `Node` event named `<node>_kernel_time` with its provider and operator. A
 * node counts once however many runs the profile holds.
 */
export function placementFromProfile(events: readonly unknown[]): NodePlacement {
  const seen = new Set<string>();
  const placement: NodePlacement = {};
  for (const e of events as ProfileEvent[]) {
    if (e?.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.provider) continue;
    if (seen.has(e.name)) continue;
    seen.add(e.name);
    const p = (placement[shortProviderName(e.args.provider)] ??= { nodes: 0, ops: {} });
    p.nodes++;
    const op = e.args.op_name ?? '?';
    p.ops[op] = (p.ops[op] ?? 0) + 1;
  }
  return placement;
}

/** Nodes that ran on a provider other than `provider` (0 when all ran where asked). */
export function nodesElsewhere(placement: NodePlacement, provider: string): number {
  return Object.entries(placement)
    .filter(([p]) => p !== provider)
    .reduce((a, [, v]) => a + v.nodes, 0);
}

/** One line: `webgpu 412 nodes; cpu 20 (Shape 8, Gather 4, …)`, the provider asked for first. */
export function formatPlacement(placement: NodePlacement, provider: string): string {
  const entries = Object.entries(placement).sort(([a], [b]) =>
    a === provider ? -1 : b === provider ? 1 : a.localeCompare(b),
  );
  if (entries.length === 0) return 'no node events in the profile';
  return entries
    .map(([p, v]) => {
      if (p === provider) return `${p} ${v.nodes} nodes`;
      const ops = Object.entries(v.ops)
        .sort(([, a], [, b]) => b - a)
        .map(([op, n]) => `${op} ${n}`)
        .join(', ');
      return `${p} ${v.nodes} (${ops})`;
    })
    .join('; ');
}
