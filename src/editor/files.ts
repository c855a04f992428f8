/** Opening, saving, sharing and exporting graphs from the browser. */
import { checkFileSize } from '../graph/parse';
import { serializeGraph } from '../graph/serialize';
import { loadAction, loadTextAction } from './actions';
import { diagramSvg, svgToPngBlob } from './diagram-svg';
import { downloadBlob, downloadText } from './download';
import { shareUrl } from './share';
import { useEditor } from './store';

/** A safe file name from the graph name. */
export function fileBase(name: string): string {
  return name.trim().replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'graph';
}

export async function openFile(file: File): Promise<boolean> {
  const tooBig = checkFileSize(file.size);
  if (tooBig) return loadAction({ ok: false, message: tooBig }, file.name);
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    return loadAction({ ok: false, message: `The file could not be read (${(e as Error).message}).` }, file.name);
  }
  return loadTextAction(text, file.name);
}

export function saveFile() {
  const { doc, notify } = useEditor.getState();
  const name = `${fileBase(doc.name)}.json`;
  downloadText(serializeGraph(doc), name);
  notify('info', `Saved ${name}`);
}

/** The link that opens the current graph (the graph travels compressed in the #hash). */
export function currentShareUrl(): string {
  return shareUrl(useEditor.getState().doc, window.location.href);
}

export function exportSvg(sizes: Map<string, { width: number; height: number }>) {
  const { doc, analysis } = useEditor.getState();
  downloadText(diagramSvg(doc, analysis, { sizes }), `${fileBase(doc.name)}.svg`, 'image/svg+xml');
}

export async function exportPng(sizes: Map<string, { width: number; height: number }>) {
  const { doc, analysis, notify } = useEditor.getState();
  try {
    downloadBlob(await svgToPngBlob(diagramSvg(doc, analysis, { sizes })), `${fileBase(doc.name)}.png`);
  } catch (e) {
    notify('error', `The PNG could not be made: ${(e as Error).message}`);
  }
}
