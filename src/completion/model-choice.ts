// For each model found on the machine: the context budget and RoPE method it would run with by default,
// the memory that takes against what is free, and where it belongs among the choices (and why) — one
// assessment for `ropewalk models` and the editor's model picker.

import { STORE_NAMES } from '../model/discovery/found-model';
import { familyName, hasFimTokens } from '../model/discovery/gguf-facts';
import type { DiscoveredModel } from '../model/discovery/model-stores';
import type { ModelCard } from '../model/model-card';
import {
  chooseKvType,
  KV_BYTES,
  KV_TYPES,
  type KvChoice,
  type KvTypeSetting,
} from '../model/kv-type';
import { neededBytes } from '../model/memory-check';
import { defaultBudget, DEFAULT_EXTENSION } from './defaults';
import { chooseRope, type RopeChoice } from './rope-choice';

export const INSTRUCT_WARNING = 'FIM quality is poor with instruct models';

/** Where a model stands, best first: the order of a list of choices. */
export const STANDINGS = ['ready', 'instruct', 'too-big', 'unsupported', 'unreadable'] as const;
export type Standing = (typeof STANDINGS)[number];

export interface ModelAssessment {
  standing: Standing;
  /** Why it is not simply ready: instruct, does not fit, unsupported, unreadable (empty when ready). */
  reasons: string[];
  /** Prompt tokens it would run with: the setting, else defaultBudget for this device and model. */
  budget?: number;
  /** What `auto` runs at that budget when nothing was measured. */
  rope?: RopeChoice;
  /** What `auto` runs at DEFAULT_EXTENSION × the native context: how the model is extended. */
  beyond?: RopeChoice;
  /** The KV cache's element type the loader would pick at `budget` (a GGUF model has both graphs). */
  kv?: KvChoice;
  /** Weights + KV cache at `budget` (memory-check's accounting) against free memory. */
  memory?: { needed: number; available: number; fits: boolean };
}

export interface Machine {
  /** Where it would run: `cpu`, `cuda`, … (the device budget depends on it). */
  provider: string;
  freeBytes: number;
  /** `ropewalk.contextBudget` / `--budget`; 0 or absent: the default. */
  budget?: number;
  /** `ropewalk.kvCacheType` / `--kv-type`; absent: auto. */
  kvType?: KvTypeSetting;
}

export interface AssessedModel extends DiscoveredModel {
  assessment: ModelAssessment;
}

export function assessModel(m: DiscoveredModel, machine: Machine): ModelAssessment {
  const f = m.facts;
  if (!f) return { standing: 'unreadable', reasons: [m.problem ?? 'unreadable'] };
  const reasons: string[] = [];
  if (f.unsupported) reasons.push(f.unsupported);
  const out: ModelAssessment = { standing: 'ready', reasons };
  if (f.kv && f.contextLength) {
    const card = { trainLength: f.contextLength, defaultRope: f.ownRope };
    const budget = machine.budget || defaultBudget(machine.provider, f.contextLength);
    // What onnx-backend does before it loads: the KV type for this budget, then the memory check.
    const shape = { weightsBytes: f.weightsBytes, ...f.kv, budget, available: machine.freeBytes };
    const kv = chooseKvType({ ...shape, setting: machine.kvType ?? 'auto', offered: KV_TYPES });
    const needed = neededBytes({ ...shape, kvBytesPerValue: KV_BYTES[kv.type] });
    out.kv = kv;
    out.budget = budget;
    out.rope = chooseRope('auto', budget, card);
    out.beyond = chooseRope('auto', DEFAULT_EXTENSION * f.contextLength, card);
    out.memory = { needed, available: machine.freeBytes, fits: needed <= machine.freeBytes };
    if (!out.memory.fits)
      reasons.push(`needs ${gib(needed)} at ${budget} tokens, ${gib(machine.freeBytes)} is free`);
  }
  if (f.kind === 'instruct') reasons.push(`instruct (${f.kindEvidence}): ${INSTRUCT_WARNING}`);
  out.standing = f.unsupported
    ? 'unsupported'
    : out.memory && !out.memory.fits
      ? 'too-big'
      : f.kind === 'instruct'
        ? 'instruct'
        : 'ready';
  return out;
}

const KIND_ORDER = { base: 0, unknown: 1, instruct: 2 } as const;

/** The models with their assessments, best first: ready base models, then the rest by why not. */
export function assessModels(
  models: readonly DiscoveredModel[],
  machine: Machine,
): AssessedModel[] {
  const rank = (m: AssessedModel) => [
    STANDINGS.indexOf(m.assessment.standing),
    m.facts ? KIND_ORDER[m.facts.kind] : 3,
  ];
  return models
    .map((m) => ({ ...m, assessment: assessModel(m, machine) }))
    .sort((a, b) => {
      const [ra, rb] = [rank(a), rank(b)];
      return (
        ra[0]! - rb[0]! ||
        ra[1]! - rb[1]! ||
        (a.facts?.name ?? a.label).localeCompare(b.facts?.name ?? b.label) ||
        a.label.localeCompare(b.label)
      );
    });
}

export const gib = (b: number) =>
  b >= 2 ** 30
    ? `${(b / 2 ** 30).toFixed(1)} GiB`
    : b >= 2 ** 20
      ? `${(b / 2 ** 20).toFixed(0)} MiB`
      : `${(b / 2 ** 10).toFixed(0)} KiB`;

export function parametersText(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 0 : 1)}B`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(0)}M`;
  return `${(n / 1e3).toFixed(0)}K`;
}

export function ropeText(r: RopeChoice): string {
  const factor = r.options.factor ?? 1;
  return `${r.method}${r.method !== 'none' && factor !== 1 ? ` ×${+factor.toFixed(2)}` : ''}`;
}

/** `ollama qwen2.5-coder:1.5b-base-q8_0`: where the model is, in the store's own words. */
export function sourceText(m: DiscoveredModel): string {
  return `${STORE_NAMES[m.store]} ${m.label}`;
}

/** `Qwen2.5-Coder · 1.5B · Q8_0 · 1.6 GiB · 32768 native · FIM · base`: what the model is. */
export function factsText(m: DiscoveredModel): string {
  const f = m.facts;
  if (!f) return `unreadable: ${m.problem ?? '?'}`;
  const scaling =
    f.rope.scalingType && f.rope.scalingType !== 'none'
      ? `, ${f.rope.scalingType} ×${f.rope.factor ?? '?'}${f.rope.originalContext ? ` from ${f.rope.originalContext}` : ''}`
      : '';
  return [
    `${f.family}${f.architecture && f.architecture !== f.family ? ` (${f.architecture})` : ''}`,
    parametersText(f.parameters),
    f.quantization,
    gib(f.fileBytes),
    f.contextLength ? `context ${f.contextLength} native${scaling}` : 'context unknown',
    f.fim ? 'FIM' : 'prefix-only (no FIM tokens)',
    f.kind === 'unknown' ? 'base or instruct unknown' : f.kind,
  ].join(' · ');
}

/** `4096 tokens, RoPE none, fp32 KV cache; beyond 32768: yarn ×4; needs 2.3 GiB of 10.0 GiB free`: how it would run here. */
export function defaultsText(m: AssessedModel): string {
  const a = m.assessment;
  if (!a.budget || !a.rope || !a.memory) return '';
  const native = m.facts?.contextLength;
  return [
    `${a.budget} tokens, RoPE ${ropeText(a.rope)}${a.kv ? `, ${a.kv.type === 'float16' ? 'fp16' : 'fp32'} KV cache` : ''}`,
    a.beyond && native ? `beyond ${native}: ${ropeText(a.beyond)}` : '',
    `needs ${gib(a.memory.needed)} of ${gib(a.memory.available)} free${a.memory.fits ? '' : ' (does not fit)'}`,
  ]
    .filter(Boolean)
    .join('; ');
}

/**
 * The model in use, for the status bar: a short name, and a line with its family, quantization, context
 * (the budget in use against the native one) and whether completions use FIM or the prefix alone.
 */
export function modelInUse(card: ModelCard, budget: number): { name: string; detail: string } {
  const architecture = card.source?.architecture ?? card.config.architecture;
  const family = card.source ? familyName(architecture, card.name) : 'Ropewalk model';
  const native = card.trainLength;
  return {
    name: card.name.length > 32 ? `${card.name.slice(0, 31)}…` : card.name,
    detail: [
      family,
      card.source
        ? (card.source.fileType ?? Object.keys(card.source.weightTypes).join('/'))
        : 'fp32',
      `context ${budget} of ${native} native${budget > native ? ' (extended)' : ''}`,
      hasFimTokens(card.specialTokens) ? 'FIM' : 'prefix-only',
    ].join(' · '),
  };
}
