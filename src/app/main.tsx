import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { EditorApp } from '../editor/EditorApp';
import { installFaultHooks } from '../training/client';

const root = document.getElementById('root');
if (!root) throw new Error('LayerLab: the page has no #root element.');

installFaultHooks();

createRoot(root).render(
  <StrictMode>
    <EditorApp />
  </StrictMode>,
);
