// Monaco's base editor worker, bundled and served from our own origin.
import 'monaco-editor/esm/vs/editor/editor.worker.js';
