// The page's entry: starts the engine, then the three panels, and records
// how long the first answer took (the tests read `window.demoTimings`).
import { startEngine } from './engine.js';
import { startIntake, lastEvaluationMs } from './intake.js';
import { startPolicyEditor } from './policy-editor.js';
import { startDashboard } from './dashboard.js';

const status = document.getElementById('boot-status');

async function boot() {
  try {
    await startEngine();
  } catch (error) {
    status.textContent = `The rules engine could not start in this browser: ${error.message ?? error}`;
    status.className = 'error';
    return;
  }
  startPolicyEditor();
  startIntake();
  startDashboard();
  status.textContent = '';
  window.demoTimings = {
    firstAnswerMs: performance.now(),
    lastEvaluationMs,
  };
}

boot();
