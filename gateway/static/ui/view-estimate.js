// /ui/: a new estimate. Drop (or choose) a folder, a ZIP or tar.gz, .tf files or a plan
// JSON; pick the options of the job API (the root module and var files from what the
// browser finds in the upload); submit. The submission uploads once (XMLHttpRequest, for
// its progress events), then creates the job with an Idempotency-Key made once per
// submission. A second click while it runs does nothing, a retry after a lost answer
// reuses the key (one job), and after the API refuses an option the files already sent
// are reused: nothing is uploaded twice. Bad input is refused with the API's message next
// to the field it names.

import { h, replace, field, newId, bytes, mebibytes, when, shortId } from './dom.js';
import * as api from './api.js';
import { money } from './money.js';
import { ArchiveReadError, isArchive, layout, listTarGz, listZip, packTarGz, readEntry, selectFolderFiles } from './archive.js';
import { errorPanel, flattenDetails } from './messages.js';

// Every AWS region code the API accepts is a choice; the reference engine's catalog
// prices the first twenty (engine/data/README.md), the others answer "price not found".
const REGIONS = [
  ['us-east-1', 'US East (N. Virginia)'], ['us-east-2', 'US East (Ohio)'], ['us-west-1', 'US West (N. California)'],
  ['us-west-2', 'US West (Oregon)'], ['ca-central-1', 'Canada (Central)'], ['sa-east-1', 'South America (São Paulo)'],
  ['eu-west-1', 'Europe (Ireland)'], ['eu-west-2', 'Europe (London)'], ['eu-west-3', 'Europe (Paris)'],
  ['eu-central-1', 'Europe (Frankfurt)'], ['eu-north-1', 'Europe (Stockholm)'], ['eu-south-1', 'Europe (Milan)'],
  ['ap-south-1', 'Asia Pacific (Mumbai)'], ['ap-northeast-1', 'Asia Pacific (Tokyo)'], ['ap-northeast-2', 'Asia Pacific (Seoul)'],
  ['ap-northeast-3', 'Asia Pacific (Osaka)'], ['ap-southeast-1', 'Asia Pacific (Singapore)'], ['ap-southeast-2', 'Asia Pacific (Sydney)'],
  ['ap-east-1', 'Asia Pacific (Hong Kong)'], ['me-south-1', 'Middle East (Bahrain)'],
  ['ca-west-1', 'Canada West (Calgary)'], ['eu-central-2', 'Europe (Zurich)'], ['eu-south-2', 'Europe (Spain)'],
  ['ap-south-2', 'Asia Pacific (Hyderabad)'], ['ap-southeast-3', 'Asia Pacific (Jakarta)'], ['ap-southeast-4', 'Asia Pacific (Melbourne)'],
  ['il-central-1', 'Israel (Tel Aviv)'], ['me-central-1', 'Middle East (UAE)'], ['af-south-1', 'Africa (Cape Town)'],
  ['us-gov-west-1', 'AWS GovCloud (US-West)'], ['us-gov-east-1', 'AWS GovCloud (US-East)'],
];
const PRESETS = [
  ['', 'None'],
  ['small', 'small (about $5 a month each)'],
  ['medium', 'medium (about $10 a month each)'],
  ['large', 'large (about $20 a month each)'],
];
const BUDGETS = [
  ['monthly_total_max', 'Monthly total at most ($)', 'e.g. 1000.00'],
  ['monthly_diff_max', 'Monthly change at most ($)', 'e.g. 50.00: against the plan\'s prior state or the job compared with'],
  ['diff_percent_max', 'Monthly change at most (%)', 'e.g. 10'],
];

let limitsCache = null;

async function limits() {
  if (limitsCache) return limitsCache;
  try {
    limitsCache = await api.getLimits();
  } catch (err) {
    // An older gateway without /limits: go on; its 413 (or a dropped connection) says it.
    if (err.status === 404) return null;
    throw err;
  }
  return limitsCache;
}

export function mountEstimate(container, _params, _query, { navigate }) {
  const state = { items: [], version: 0, uploaded: null, packed: new Map(), inFlight: false, nextId: 1 };

  // --- controls ---------------------------------------------------------------------------
  const fileInput = h('input', { type: 'file', multiple: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', accept: '.tf,.json,.tfvars,.zip,.gz,.tgz,.yml,.yaml', 'data-role': 'files-input' });
  const folderInput = h('input', { type: 'file', multiple: true, webkitdirectory: true, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true', 'data-role': 'folder-input' });
  const chooseFiles = h('button', { type: 'button', class: 'button', 'data-action': 'choose-files', onclick: () => fileInput.click() }, 'Choose files…');
  const chooseFolder = h('button', { type: 'button', class: 'button', 'data-action': 'choose-folder', onclick: () => folderInput.click() }, 'Choose a folder…');
  const fileList = h('ul', { class: 'file-list', 'data-role': 'file-list' });
  const filesError = h('p', { class: 'field-error', id: newId('err'), hidden: true, role: 'alert', 'data-role': 'files-error' });
  const uploadNote = h('p', { class: 'hint', hidden: true, 'data-role': 'upload-note' });
  const dropzone = h(
    'div',
    { class: 'dropzone', 'data-role': 'dropzone' },
    h('p', { class: 'dropzone-text' }, 'Drop a folder, a ZIP or tar.gz, .tf files or a plan JSON here, or'),
    h('div', { class: 'button-row' }, chooseFiles, chooseFolder),
    fileInput,
    folderInput,
  );
  const projectName = h('input', { type: 'text', name: 'project_name', maxlength: '200', autocomplete: 'off', 'data-role': 'project-name' });
  const projectField = field('Name (optional)', projectName, { hint: 'Shown in the list of jobs; by default the name of the folder or file.' });
  projectName.addEventListener('input', () => {
    uploadNote.hidden = true; // a new name goes with a new upload
  });

  const region = h('select', { name: 'region', 'data-role': 'region' }, REGIONS.map(([code, name]) => h('option', { value: code, selected: code === 'us-east-1' }, `${code} — ${name}`)));
  const regionField = field('Region', region, { hint: 'Where resources are priced when their provider sets no region.' });

  const rootModule = h('select', { name: 'root_module', 'data-role': 'root-module', disabled: true }, h('option', { value: '' }, 'Every root module found (automatic)'));
  const rootField = field('Root module', rootModule, { hint: 'Add files to choose among the folders with Terraform in them.' });

  const varFilesBox = h('div', { class: 'checks', 'data-role': 'var-files' }, h('p', { class: 'hint' }, 'No .tfvars files found in the upload.'));
  const varFilesError = h('p', { class: 'field-error', hidden: true, role: 'alert' });
  const varFilesFieldset = h('fieldset', { class: 'field' }, h('legend', {}, 'Var files'), h('p', { class: 'hint' }, 'Applied in this order, after terraform.tfvars and *.auto.tfvars, like -var-file.'), varFilesBox, varFilesError);

  const variableRows = h('div', { class: 'variable-rows', 'data-role': 'variables' });
  const variablesError = h('p', { class: 'field-error', hidden: true, role: 'alert', 'data-role': 'variables-error' });
  const addVariable = h('button', { type: 'button', class: 'button button-small', 'data-action': 'add-variable' }, 'Add a variable');
  const variablesFieldset = h(
    'fieldset',
    { class: 'field' },
    h('legend', {}, 'Variables'),
    h('p', { class: 'hint' }, 'Like -var name=value: a value is read as Terraform reads -var (a list or map as an HCL expression).'),
    variableRows,
    variablesError,
    addVariable,
  );

  const workspace = h('input', { type: 'text', name: 'workspace', placeholder: 'default', autocomplete: 'off', 'data-role': 'workspace' });
  const workspaceField = field('Workspace', workspace, { hint: 'The value of terraform.workspace.' });
  const preset = h('select', { name: 'usage_preset', 'data-role': 'usage-preset' }, PRESETS.map(([value, label]) => h('option', { value }, label)));
  const presetField = field('Usage preset', preset, {
    hint: 'Fills the usage-based quantities no usage file gives (an infracost-usage.yml in the upload is read anyway); with none they stay unknown.',
  });

  const budgetInputs = {};
  const budgetFields = {};
  for (const [key, label, hint] of BUDGETS) {
    // type=text with inputmode=decimal, not type=number: a browser would silently turn
    // "a lot" into an empty value; the API says what is wrong with it instead.
    budgetInputs[key] = h('input', { type: 'text', inputmode: 'decimal', name: key, autocomplete: 'off', 'data-role': `budget-${key}` });
    budgetFields[key] = field(label, budgetInputs[key], { hint });
  }
  const compareTo = h('select', { name: 'compare_to', 'data-role': 'compare-to' }, h('option', { value: '' }, 'None'));
  const compareField = field('Compare with', compareTo, { hint: 'A completed job of yours, e.g. the base branch: the estimate then shows what changes.' });

  const progress = h('progress', { max: '100', value: '0', hidden: true, 'data-role': 'progress' });
  const progressText = h('p', { class: 'progress-text', 'aria-live': 'polite', 'data-role': 'progress-text' });
  const submitError = h('div', { 'data-role': 'submit-error' });
  const submitButton = h('button', { type: 'submit', class: 'button button-primary button-large', 'data-action': 'submit' }, 'Estimate');

  const form = h(
    'form',
    { class: 'estimate-form', novalidate: true, 'data-role': 'estimate-form' },
    h('fieldset', { class: 'panel' }, h('legend', {}, 'Terraform'), dropzone, fileList, filesError, uploadNote, projectField),
    h('fieldset', { class: 'panel' }, h('legend', {}, 'Options'), h('div', { class: 'grid' }, regionField, rootField, workspaceField, presetField), varFilesFieldset, variablesFieldset),
    h('fieldset', { class: 'panel' }, h('legend', {}, 'Budget and comparison'), h('div', { class: 'grid' }, ...Object.values(budgetFields), compareField)),
    h('div', { class: 'submit-row' }, submitError, progress, progressText, submitButton),
  );

  replace(
    container,
    h('h1', { tabindex: '-1' }, 'New estimate'),
    h('p', { class: 'lead' }, 'Upload Terraform and get its monthly AWS cost at list prices, itemised per resource with the source and date of every price.'),
    form,
  );

  // --- variables ----------------------------------------------------------------------------
  function variableRow(name = '', value = '') {
    const nameInput = h('input', { type: 'text', value: name, autocomplete: 'off', spellcheck: 'false', 'data-role': 'variable-name' });
    const valueInput = h('input', { type: 'text', value, autocomplete: 'off', spellcheck: 'false', 'data-role': 'variable-value' });
    const error = h('p', { class: 'field-error', id: newId('err'), hidden: true, role: 'alert', 'data-role': 'variable-error' });
    nameInput.id = newId('var');
    valueInput.id = newId('val');
    nameInput.setAttribute('aria-describedby', error.id);
    const row = h(
      'div',
      { class: 'variable-row' },
      h('div', { class: 'field' }, h('label', { for: nameInput.id }, 'Name'), nameInput),
      h('div', { class: 'field' }, h('label', { for: valueInput.id }, 'Value'), valueInput),
      h('button', { type: 'button', class: 'button button-small', 'aria-label': 'Remove this variable', onclick: () => { row.remove(); if (!variableRows.children.length) variableRows.appendChild(variableRow()); } }, 'Remove'),
      error,
    );
    row.nameInput = nameInput;
    row.valueInput = valueInput;
    row.setError = (message) => {
      error.textContent = message || '';
      error.hidden = !message;
      if (message) nameInput.setAttribute('aria-invalid', 'true');
      else nameInput.removeAttribute('aria-invalid');
    };
    return row;
  }
  variableRows.appendChild(variableRow());
  addVariable.addEventListener('click', () => {
    const row = variableRow();
    variableRows.appendChild(row);
    row.nameInput.focus();
  });

  // --- the selection --------------------------------------------------------------------------
  function changed() {
    state.version += 1;
    state.uploaded = null; // another set of files: the next submission uploads it
    uploadNote.hidden = true;
    progress.hidden = true;
    drawFiles();
    drawPickers();
  }

  function describe(item) {
    if (item.kind === 'folder') {
      const skipped = item.skipped && item.skipped.length ? `; ${item.skipped.length} left out` : '';
      return `folder · ${item.entries.length} files · ${bytes(item.size)}${skipped} · sent as ${item.name}.tar.gz`;
    }
    if (item.kind === 'archive') {
      if (item.error) return `archive · ${bytes(item.size)} · ${item.error}`;
      return `archive · ${bytes(item.size)} · ${item.names ? `${item.names.filter((n) => !n.endsWith('/')).length} files` : 'reading its list of files…'}`;
    }
    return `${bytes(item.size)}`;
  }

  function drawFiles() {
    replace(
      fileList,
      state.items.map((item) =>
        h(
          'li',
          { 'data-item': item.name },
          h('span', { class: 'file-name' }, item.name),
          ' ',
          h('span', { class: 'hint' }, describe(item)),
          item.kind === 'folder' && item.skipped && item.skipped.length
            ? h('details', { class: 'skipped' }, h('summary', {}, 'Left out of the upload'), h('ul', {}, item.skipped.slice(0, 50).map((s) => h('li', {}, h('code', {}, s.path), ` (${s.why})`))))
            : null,
          h('button', {
            type: 'button',
            class: 'button button-small',
            'aria-label': `Remove ${item.name}`,
            onclick: () => {
              state.items = state.items.filter((other) => other !== item);
              state.packed.delete(item.id);
              changed();
              (fileList.querySelector('button') || chooseFiles).focus();
            },
          }, 'Remove'),
        ),
      ),
    );
    if (state.items.length) filesError.hidden = true;
  }

  function drawPickers() {
    const listed = state.items.map((item) => (item.kind === 'file' ? { name: item.name } : { name: item.kind === 'folder' ? `${item.name}.tar.gz` : item.name, names: item.names || [] }));
    const found = layout(listed);
    const previousRoot = rootModule.value;
    replace(
      rootModule,
      h('option', { value: '' }, 'Every root module found (automatic)'),
      found.folders.map((folder) => h('option', { value: folder, selected: folder === previousRoot }, folder === '.' ? '. (the top folder)' : folder)),
    );
    rootModule.disabled = found.folders.length === 0;
    const hint = rootField.querySelector('.hint');
    if (!state.items.length) hint.textContent = 'Add files to choose among the folders with Terraform in them.';
    else if (found.plan && !found.folders.length) hint.textContent = 'A plan JSON is estimated as it is: no root module to choose.';
    else hint.textContent = `${found.folders.length} folder${found.folders.length === 1 ? '' : 's'} with Terraform found${found.root ? ` (paths inside ${found.root}/)` : ''}.`;
    const checked = new Set([...varFilesBox.querySelectorAll('input:checked')].map((i) => i.value));
    replace(
      varFilesBox,
      found.varFiles.length
        ? found.varFiles.map((path) => {
            const id = newId('vf');
            return h('div', { class: 'field-check' }, h('input', { type: 'checkbox', id, value: path, checked: checked.has(path), 'data-role': 'var-file' }), h('label', { for: id }, h('code', {}, path)));
          })
        : h('p', { class: 'hint' }, 'No .tfvars files found in the upload.'),
    );
  }

  async function addFiles(files) {
    const added = [];
    for (const file of files) {
      const item = { id: state.nextId++, kind: isArchive(file.name) ? 'archive' : 'file', name: file.name, file, size: file.size };
      state.items = state.items.filter((other) => other.name !== item.name); // the same name again replaces it
      state.items.push(item);
      added.push(item);
    }
    changed();
    await Promise.all(
      added.filter((item) => item.kind === 'archive').map(async (item) => {
        try {
          const lowered = item.name.toLowerCase();
          item.names = lowered.endsWith('.zip') ? await listZip(item.file) : await listTarGz(item.file);
        } catch (err) {
          item.error = err instanceof ArchiveReadError ? `could not read its list of files (${err.message}); the server checks it` : `could not read its list of files (${err.message})`;
          item.names = [];
        }
        if (state.items.includes(item)) {
          drawFiles();
          drawPickers();
        }
      }),
    );
  }

  async function addFolder(name, entries) {
    const item = { id: state.nextId++, kind: 'folder', name, entries: [], names: [], size: 0, skipped: [] };
    const { kept, skipped } = await selectFolderFiles(entries);
    item.entries = kept;
    item.skipped = skipped;
    item.names = kept.map((e) => `${name}/${e.path}`);
    item.size = kept.reduce((total, e) => total + e.file.size, 0);
    state.items = state.items.filter((other) => other.name !== name);
    state.items.push(item);
    changed();
  }

  fileInput.addEventListener('change', () => {
    const files = [...fileInput.files];
    fileInput.value = '';
    addFiles(files);
  });

  folderInput.addEventListener('change', async () => {
    const groups = new Map();
    for (const file of folderInput.files) {
      const path = file.webkitRelativePath || file.name;
      const [top, ...rest] = path.split('/');
      if (!groups.has(top)) groups.set(top, []);
      groups.get(top).push({ path: rest.join('/') || file.name, file });
    }
    folderInput.value = '';
    for (const [name, entries] of groups) await addFolder(name, entries);
  });

  dropzone.addEventListener('dragover', (event) => {
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    dropzone.classList.add('dropzone-active');
  });
  dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dropzone-active'));
  dropzone.addEventListener('drop', async (event) => {
    event.preventDefault();
    dropzone.classList.remove('dropzone-active');
    // The entries must be taken now: the DataTransfer empties once the event is over.
    const folders = [];
    const files = [];
    for (const item of [...(event.dataTransfer.items || [])]) {
      if (item.kind !== 'file') continue;
      const entry = item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
      if (entry && entry.isDirectory) folders.push(entry);
      else {
        const file = item.getAsFile();
        if (file) files.push(file);
      }
    }
    if (!folders.length && !files.length) files.push(...(event.dataTransfer.files || []));
    if (files.length) await addFiles(files);
    for (const entry of folders) {
      try {
        await addFolder(entry.name, await readEntry(entry));
      } catch (err) {
        filesError.textContent = `Could not read the folder ${entry.name}: ${err.message}`;
        filesError.hidden = false;
      }
    }
  });

  // --- compare_to choices ------------------------------------------------------------------------
  async function loadCompareChoices() {
    try {
      const page = await api.listJobs({ status: 'COMPLETED', limit: 50 });
      const keep = compareTo.value;
      replace(
        compareTo,
        h('option', { value: '' }, page.items.length ? 'None' : 'None (no completed job yet)'),
        page.items.map((job) => h('option', { value: job.job_id, selected: job.job_id === keep }, `${shortId(job.job_id)} · ${when(job.created_at)} · ${money(job.result && job.result.estimate ? job.result.estimate.totalMonthlyCost : null)}/month`)),
      );
    } catch (err) {
      if (err.status !== 401) compareField.setError(`Could not list your completed jobs: ${err.message}.`);
    }
  }
  loadCompareChoices();

  // --- submitting ----------------------------------------------------------------------------
  function clearErrors() {
    filesError.hidden = true;
    for (const f of [regionField, rootField, workspaceField, presetField, compareField, projectField, ...Object.values(budgetFields)]) f.setError('');
    for (const row of variableRows.children) row.setError('');
    variablesError.hidden = true;
    varFilesError.hidden = true;
    replace(submitError);
  }

  function setFilesError(message) {
    filesError.textContent = message;
    filesError.hidden = false;
  }

  function options() {
    const out = {};
    if (rootModule.value) out.root_module = rootModule.value;
    const varFiles = [...varFilesBox.querySelectorAll('input:checked')].map((i) => i.value);
    if (varFiles.length) out.var_files = varFiles;
    const variables = {};
    let any = false;
    for (const row of variableRows.children) {
      const name = row.nameInput.value.trim();
      const value = row.valueInput.value;
      if (!name && !value) continue;
      variables[name] = value; // a string, as -var gives it; an empty name is the API's to refuse
      any = true;
    }
    if (any) out.variables = variables;
    if (workspace.value.trim()) out.workspace = workspace.value.trim();
    if (preset.value) out.usage_preset = preset.value;
    const budget = {};
    for (const [key] of BUDGETS) {
      const value = budgetInputs[key].value.trim();
      if (value) budget[key] = value;
    }
    if (Object.keys(budget).length) out.budget = budget;
    if (compareTo.value) out.compare_to = compareTo.value;
    return out;
  }

  function showProgress(text, value = null) {
    progressText.textContent = text;
    if (value === null) {
      progress.removeAttribute('value');
    } else {
      progress.value = value;
    }
    progress.hidden = false;
  }

  async function uploadOnce(found) {
    const name = projectName.value.trim() || state.items[0].name.replace(/\.(tar\.gz|tgz|zip)$/i, '');
    if (state.uploaded && state.uploaded.version === state.version && state.uploaded.projectName === name) {
      showProgress('The files are uploaded already: not sending them again.', 100);
      return state.uploaded.upload; // refused options were corrected: the files are on the server already
    }
    const parts = [];
    for (const item of state.items) {
      if (item.kind !== 'folder') {
        parts.push({ name: item.name, blob: item.file });
        continue;
      }
      if (found && found.archive) {
        if (item.entries.length > found.archive.max_entries) {
          throw new PageError(`${item.name}: ${item.entries.length} files is more than the ${found.archive.max_entries} an upload may hold. Leave out folders you do not need (list them in .terraformignore).`);
        }
        if (item.size > found.archive.max_total_bytes) {
          throw new PageError(`${item.name}: ${bytes(item.size)} of files is more than the ${mebibytes(found.archive.max_total_bytes)} an upload may hold once unpacked.`);
        }
        const deep = item.entries.find((e) => e.path.split('/').length + 1 > found.archive.max_depth);
        if (deep) throw new PageError(`${item.name}: ${deep.path} is nested deeper than the ${found.archive.max_depth} folders an upload may hold.`);
      }
      if (!state.packed.has(item.id)) {
        showProgress(`Packing the folder ${item.name}…`);
        state.packed.set(item.id, await packTarGz(item.name, item.entries));
      }
      parts.push({ name: `${item.name}.tar.gz`, blob: state.packed.get(item.id) });
    }
    const total = parts.reduce((sum, p) => sum + p.blob.size, 0);
    if (found && total > found.max_upload_bytes) {
      const what = parts.length === 1 ? `${parts[0].name} is ${bytes(total)}` : `These files are ${bytes(total)} together`;
      throw new PageError(`${what}: this server accepts at most ${mebibytes(found.max_upload_bytes)} per upload (MAX_UPLOAD_BYTES), so nothing was sent. Upload a smaller archive: leave out .terraform/providers and other binaries.`);
    }
    showProgress(`Uploading ${bytes(total)}…`, 0);
    const upload = await api.upload(parts, {
      projectName: name,
      onProgress: (loaded, size) => {
        const pct = size ? Math.round((loaded / size) * 100) : 0;
        showProgress(`Uploading: ${bytes(loaded)} of ${bytes(size)} (${pct} %)`, pct);
      },
    });
    state.uploaded = { version: state.version, projectName: name, upload };
    uploadNote.textContent = `Uploaded ${bytes(total)} (upload ${upload.upload_id.slice(0, 8)}): another submission of these files reuses it.`;
    uploadNote.hidden = false;
    return upload;
  }

  async function createJob(body, key) {
    // A lost answer or a passing outage: the same request with the same key again. The
    // API answers 200 with the job if the first one got through, so this never makes two.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await api.createJob(body, key);
      } catch (err) {
        const transient = err.status === 0 || err.status === 503 || err.status === 429;
        if (!transient || attempt >= 2) throw err;
        const wait = err.retryAfter !== null && err.retryAfter !== undefined ? err.retryAfter * 1000 : 1000 * (attempt + 1);
        showProgress(`The API is busy (${err.message}); trying again…`);
        await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10000)));
      }
    }
  }

  function showRefusal(err) {
    const problems = flattenDetails(err.details);
    let first = null;
    const mark = (target, message) => {
      target.setError(message);
      if (!first) first = target.querySelector ? target.querySelector('input, select') || target : target;
    };
    for (const { path, message } of problems) {
      const [top, key, rest] = path.split('.', 3);
      if (top === 'region') mark(regionField, message);
      else if (top !== 'options' || !key) continue; // listed in the summary below
      else if (key === 'variables' && rest !== undefined) {
        const name = path.slice('options.variables.'.length);
        const row = [...variableRows.children].find((r) => r.nameInput.value.trim() === name);
        if (row) {
          row.setError(`${name === '' ? 'The name is empty' : `"${name}"`}: ${message}`);
          if (!first) first = row.nameInput;
        }
      } else if (key === 'variables') {
        variablesError.textContent = message;
        variablesError.hidden = false;
      } else if (key === 'budget' && rest && budgetFields[rest]) mark(budgetFields[rest], message);
      else if (key === 'budget') mark(budgetFields.monthly_total_max, message);
      else if (key === 'root_module') mark(rootField, message);
      else if (key === 'workspace') mark(workspaceField, message);
      else if (key === 'usage_preset') mark(presetField, message);
      else if (key === 'compare_to') mark(compareField, message);
      else if (key === 'var_files') {
        varFilesError.textContent = message;
        varFilesError.hidden = false;
      }
    }
    replace(
      submitError,
      h(
        'div',
        { class: 'notice notice-error', role: 'alert', 'data-role': 'refusal' },
        h('h2', { class: 'notice-title' }, 'The API refused the options'),
        h('p', {}, `${err.message}${problems.length ? ':' : '.'}`),
        problems.length ? h('ul', {}, problems.map((p) => h('li', {}, `${p.path.replace(/^options\./, '')}: ${p.message}`))) : null,
        h('p', { class: 'hint' }, 'Your files are uploaded already: correct the options and submit again, they are not sent twice.'),
      ),
    );
    if (first) first.focus();
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (state.inFlight) return; // a double click: the first submission is under way
    clearErrors();
    if (!state.items.length) {
      setFilesError('Choose what to estimate first: a folder, a ZIP or tar.gz, .tf files or a plan JSON. Nothing was sent.');
      chooseFiles.focus();
      return;
    }
    state.inFlight = true;
    submitButton.disabled = true;
    form.setAttribute('aria-busy', 'true');
    const key = api.newIdempotencyKey(); // once per submission, whatever is retried below
    try {
      showProgress('Checking what this server accepts…');
      const found = await limits();
      const upload = await uploadOnce(found);
      progressText.textContent = 'Creating the job…';
      const body = { upload_id: upload.upload_id, region: region.value };
      const opts = options();
      if (Object.keys(opts).length) body.options = opts;
      const job = await createJob(body, key);
      progressText.textContent = `Job ${shortId(job.job_id)} created.`;
      navigate(`/jobs/${job.job_id}`);
    } catch (err) {
      // The bar stays where the upload got to when the files did go; else it goes.
      if (!state.uploaded || err instanceof PageError) progress.hidden = true;
      progressText.textContent = '';
      if (err instanceof PageError) {
        setFilesError(err.message);
        chooseFiles.focus();
      } else if (err.status === 400 && (err.code === 'validation_error' || err.code === 'invalid_option')) {
        showRefusal(err);
      } else if (err.status === 413 || (err.status === 422 && err.code !== 'upload_not_found' && err.code !== 'idempotency_key_reused') || (err.status === 400 && !state.uploaded)) {
        // The upload itself was refused: say it at the files, in the API's words.
        setFilesError(`The API refused the upload: ${err.message}.`);
        replace(submitError, errorPanel(err, { limits: limitsCache }));
      } else if (err.code === 'upload_not_found') {
        state.uploaded = null; // expired meanwhile: the next submission sends the files again
        replace(submitError, errorPanel(err));
      } else if (err.status !== 401) {
        replace(submitError, errorPanel(err, { limits: limitsCache }));
      } else {
        replace(submitError, h('p', { class: 'notice notice-warning', role: 'alert' }, 'Sign in, then submit again. ', state.uploaded ? 'The files are uploaded already.' : ''));
      }
    } finally {
      state.inFlight = false;
      submitButton.disabled = false;
      form.removeAttribute('aria-busy');
    }
  });

  return {
    unmount() {},
    onToken() {
      // Uploads belong to a tenant: after a change of token the files go again.
      state.uploaded = null;
      compareField.setError('');
      loadCompareChoices();
    },
  };
}

class PageError extends Error {}
