import { mount } from 'svelte';
import App from './App.svelte';
import { app } from './lib/state/app.svelte';
import './app.css';

// A handle for the end-to-end tests' fault injection (simulating a worker crash).
(window as unknown as { __sciml: unknown }).__sciml = {
  crashWorker: () => void app.compute.call((api) => api.crashForTest()),
};

export default mount(App, { target: document.getElementById('app')! });
