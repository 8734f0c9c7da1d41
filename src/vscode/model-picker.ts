// *Ropewalk: Select Model…*: the bundled model, then the models already on this machine as
// `ropewalk models` lists them (ready base models first, then the rest with why), then a GGUF file or a
// folder of the user's choosing. Choosing writes `ropewalk.modelPath` (user settings); the users' model
// files are only read.

import { freemem } from 'node:os';
import * as vscode from 'vscode';
import {
  assessModels,
  defaultsText,
  factsText,
  sourceText,
  type AssessedModel,
} from '../completion/model-choice';
import { discoverModels, type DiscoveredModel } from '../model/discovery/model-stores';
import { readModelFiles } from '../model/model-card';
import { modelSourceOf } from '../model/model-source';
import { readConfig } from './config';

type Choice =
  | { kind: 'bundled' }
  | { kind: 'found'; model: AssessedModel }
  | { kind: 'file' }
  | { kind: 'folder' };

interface Item extends vscode.QuickPickItem {
  choice?: Choice;
}

export interface PickerContext {
  /** The bundled model's folder and name (what an empty `ropewalk.modelPath` means). */
  bundled: { dir: string; name: string };
  /** Where the model in use runs (`cpu`, `cuda`, …): the default budget depends on it. */
  provider: string;
  log: vscode.LogOutputChannel;
}

const separator = (label: string): Item => ({ label, kind: vscode.QuickPickItemKind.Separator });

const ICONS: Record<AssessedModel['assessment']['standing'], string> = {
  ready: '$(check)',
  instruct: '$(comment-discussion)',
  'too-big': '$(warning)',
  unsupported: '$(circle-slash)',
  unreadable: '$(error)',
};

function foundItem(m: AssessedModel, current: string): Item {
  const a = m.assessment;
  const runs = a.standing === 'unsupported' || a.standing === 'unreadable' ? '' : defaultsText(m);
  return {
    label: `${ICONS[a.standing]} ${m.facts?.name ?? m.label}`,
    description: `${sourceText(m)}${m.path === current ? ' (in use)' : ''}`,
    detail: [a.reasons.join('; '), factsText(m), runs].filter(Boolean).join(' — '),
    choice: { kind: 'found', model: m },
  };
}

function items(ctx: PickerContext, found: readonly DiscoveredModel[], searching: boolean): Item[] {
  const c = readConfig();
  const ranked = assessModels(found, {
    provider: ctx.provider,
    freeBytes: freemem(),
    budget: c.contextBudget,
    kvType: c.kvCacheType,
  });
  const ready = ranked.filter((m) => m.assessment.standing === 'ready');
  const rest = ranked.filter((m) => m.assessment.standing !== 'ready');
  return [
    {
      label: `$(package) ${ctx.bundled.name}`,
      description: `bundled with Ropewalk${c.modelPath ? '' : ' (in use)'}`,
      detail:
        'small and fast; shows the pipeline working, not the quality of a pretrained code model',
      choice: { kind: 'bundled' },
    },
    separator(
      ready.length || searching ? 'Models on this machine that fit' : 'No ready model found',
    ),
    ...ready.map((m) => foundItem(m, c.modelPath)),
    ...(rest.length
      ? [separator('Not recommended'), ...rest.map((m) => foundItem(m, c.modelPath))]
      : []),
    separator('Elsewhere'),
    {
      label: '$(file) A GGUF file…',
      description: 'read in place, never changed',
      choice: { kind: 'file' },
    },
    {
      label: '$(folder) A folder…',
      description: 'of GGUF files (added to ropewalk.modelFolders), or a Ropewalk model folder',
      choice: { kind: 'folder' },
    },
  ];
}

async function useModel(path: string | undefined): Promise<void> {
  await vscode.workspace
    .getConfiguration('ropewalk')
    .update('modelPath', path, vscode.ConfigurationTarget.Global);
}

/** Shows the picker; what is chosen is written to user settings (the session restarts on the change). */
export async function pickModel(ctx: PickerContext): Promise<void> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = 'Ropewalk: which model?';
  qp.placeholder =
    'Finding the models on this machine (ollama, LM Studio, Hugging Face and llama.cpp caches)…';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  const found: DiscoveredModel[] = [];
  const refresh = (searching: boolean) => {
    const active = qp.activeItems[0]?.choice;
    qp.items = items(ctx, found, searching);
    // Keep the highlighted entry where the user put it while the list fills in.
    const same = qp.items.find(
      (i) =>
        i.choice === active ||
        (i.choice?.kind === 'found' &&
          active?.kind === 'found' &&
          i.choice.model.path === active.model.path),
    );
    if (same) qp.activeItems = [same];
  };
  refresh(true);
  const chosen = new Promise<Choice | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.choice));
    qp.onDidHide(() => resolve(undefined));
  });
  qp.show();
  void discoverModels({
    folders: readConfig().modelFolders,
    onModel: (m) => {
      found.push(m);
      refresh(true);
    },
  })
    .then(() => {
      qp.busy = false;
      qp.placeholder = `${found.length} model${found.length === 1 ? '' : 's'} found: ready base models first; the others say why not`;
      refresh(false);
    })
    .catch((error: unknown) => {
      qp.busy = false;
      ctx.log.error(`finding models: ${(error as Error).message}`);
    });
  const choice = await chosen;
  qp.dispose();
  if (!choice) return;
  switch (choice.kind) {
    case 'bundled':
      return useModel(undefined);
    case 'found':
      return useFound(choice.model);
    case 'file':
      return pickFile();
    case 'folder':
      return pickFolder(ctx);
  }
}

async function useFound(m: AssessedModel): Promise<void> {
  const a = m.assessment;
  if (a.standing === 'unsupported' || a.standing === 'unreadable') {
    void vscode.window.showWarningMessage(
      `Ropewalk cannot use ${m.label}: ${a.reasons.join('; ')}`,
    );
    return;
  }
  if (a.standing === 'too-big') {
    const go = await vscode.window.showWarningMessage(
      `${m.label} ${a.reasons.join('; ')}. Use it anyway (with a smaller ropewalk.contextBudget it may fit)?`,
      { modal: true },
      'Use Anyway',
    );
    if (!go) return;
  }
  await useModel(m.path);
}

async function pickFile(): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: true,
    canSelectFolders: false,
    canSelectMany: false,
    openLabel: 'Use this model',
    // ollama's blobs have no extension: a file is recognised by its header.
    filters: { 'GGUF models': ['gguf'], 'All files': ['*'] },
    title: 'Ropewalk: a GGUF model file',
  });
  const path = picked?.[0]?.fsPath;
  if (path) await useModel(path);
}

/** A Ropewalk model folder is used as it is; any other folder is added to the places searched. */
async function pickFolder(ctx: PickerContext): Promise<void> {
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    openLabel: 'Use this folder',
    title:
      'Ropewalk: a folder of GGUF models, or a Ropewalk model folder (model.gguf, or model.onnx, tokenizer.json and model-card.json)',
  });
  const path = picked?.[0]?.fsPath;
  if (!path) return;
  try {
    // A folder holding model.gguf is checked when it is built; a contract-2 folder's card now.
    const source = modelSourceOf(path);
    if (source.kind === 'onnx') readModelFiles(path);
    await useModel(path);
    return;
  } catch {
    // not a Ropewalk model folder: a folder to search for GGUF files
  }
  const folders = readConfig().modelFolders;
  if (!folders.includes(path))
    await vscode.workspace
      .getConfiguration('ropewalk')
      .update('modelFolders', [...folders, path], vscode.ConfigurationTarget.Global);
  await pickModel(ctx);
}
