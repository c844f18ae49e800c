import { html, render } from 'htm/preact';
import { App } from './app.ts';

const root = document.getElementById('app')!;
root.textContent = ''; // the "Loading…" line: render() keeps what it didn't create
render(html`<${App} />`, root);
