// The history report page's verifier (docs/verification.md, "In the
// browser"). It asks the gateway for a bundle bound to a challenge made
// here, checks it with gateway/verify compiled to WebAssembly
// (verify.wasm, run by Go's wasm_exec.js, which the page loads before this
// script) against the roots the gateway serves, shows PASS or FAIL with
// every check, and offers the exact bundle it checked and the command
// that checks it with the autoledger CLI, the independent check: this
// page is the serving member's code.
//
// What it needs of the page: <section id="verify"> with data-vin,
// data-channel, data-bundle-url, data-roots-url and data-verifier-url, and
// in it #challenge, #verify-button, #bundle-download, #verify-status and
// #verify-checks; it makes #verify-wasm-hash and #verify-cli-bundle when
// the page lacks them. #verify-status's data-state tells how it went:
// loading, ready, busy, pass, fail, error or unavailable (no verifier
// built); data-run counts the runs.
//
// No inline script, no eval, no HTML from strings (the page's
// Content-Security-Policy allows its own scripts and the compilation of
// WebAssembly, and Trusted Types let no script write HTML).
(() => {
  'use strict';

  const CHALLENGE = /^[0-9a-f]{32,128}$/; // the ledger's rule (vehicletypes.ValidateChallenge)

  const toHex = bytes => Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');

  // newChallenge is 32 random bytes in hex: a bundle made for it cannot
  // have been made before this page asked.
  const newChallenge = () => toHex(crypto.getRandomValues(new Uint8Array(32)));

  // el is the element with this ID, made and put after `after` when the
  // page does not have it.
  const el = (id, tag, after, init) => {
    let e = document.getElementById(id);
    if (!e) {
      e = document.createElement(tag);
      e.id = id;
      if (init) init(e);
      after.after(e);
    }
    return e;
  };

  // notBuilt: the gateway was built without the verifier (`make wasm`).
  const notBuilt = new Error('not built');

  // loadVerifier fetches and starts the verifier, and answers the SHA-256
  // of the bytes it started ('' where WebCrypto cannot hash: outside a
  // secure context).
  const loadVerifier = async url => {
    if (typeof Go === 'undefined') throw notBuilt; // the page loads wasm_exec.js only when it has both files
    const res = await fetch(url, {cache: 'no-cache'});
    if (res.status === 404) throw notBuilt;
    if (!res.ok) throw new Error('HTTP ' + res.status);
    const bytes = await res.arrayBuffer();
    const hash = crypto.subtle ? toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))) : '';
    const go = new Go(); // eslint-disable-line no-undef
    const {instance} = await WebAssembly.instantiate(bytes, go.importObject);
    go.run(instance); // settles only when the program exits, which it does not
    if (typeof globalThis.autoledgerVerify !== 'function') throw new Error('it did not start');
    return hash;
  };

  // problem is the message of a refused request: the gateway's problem
  // document (docs/api.md) when it sent one.
  const problem = async res => {
    try {
      const p = await res.json();
      return [p.status || res.status, p.code, p.detail || p.title].filter(Boolean).join(' ');
    } catch (e) {
      return 'HTTP ' + res.status;
    }
  };

  const init = () => {
    const root = document.getElementById('verify');
    if (!root) return;
    const page = {
      vin: root.dataset.vin || '',
      channel: root.dataset.channel || '',
      orderers: (root.dataset.orderers || '').split(',').filter(Boolean),
      bundleURL: new URL(root.dataset.bundleUrl || '', document.baseURI),
      rootsURL: new URL(root.dataset.rootsUrl || '/roots.json', document.baseURI),
      verifierURL: new URL(root.dataset.verifierUrl || 'verify.wasm', document.baseURI),
    };
    const challenge = document.getElementById('challenge');
    const button = document.getElementById('verify-button');
    const download = document.getElementById('bundle-download');
    const status = document.getElementById('verify-status');
    const checks = document.getElementById('verify-checks');
    if (!challenge || !button || !download || !status || !checks) return;
    const hashLine = el('verify-wasm-hash', 'p', status, p => { p.hidden = true; });
    const cliLine = el('verify-cli-bundle', 'p', checks, p => { p.hidden = true; });

    let verifier = false;
    let blobURL = '';

    const setStatus = (state, msg) => {
      status.dataset.state = state;
      status.className = {pass: 'ok', fail: 'bad', error: 'bad'}[state] || '';
      status.textContent = msg;
    };

    // Until a run, the download link asks the gateway for a bundle for
    // the challenge shown (so it works without the in-page verifier);
    // after one, it holds the exact bytes that were checked.
    const linkToGateway = () => {
      if (blobURL) URL.revokeObjectURL(blobURL);
      blobURL = '';
      const u = new URL(page.bundleURL);
      u.searchParams.set('challenge', challenge.value.trim().toLowerCase());
      download.href = u.href;
      download.download = 'bundle.json';
      cliLine.hidden = true;
    };

    const showChecks = result => {
      checks.replaceChildren();
      for (const c of result.checks || []) {
        const li = document.createElement('li');
        li.dataset.check = c.name;
        li.dataset.ok = String(c.ok);
        li.className = c.ok ? 'ok' : 'bad';
        const name = document.createElement('strong');
        name.textContent = (c.ok ? 'ok ' : 'FAIL ') + c.name;
        li.append(name);
        if (c.detail) li.append(': ' + c.detail);
        checks.append(li);
      }
    };

    const showCLI = (file, ch) => {
      const code = document.createElement('code');
      code.textContent = 'autoledger verify --roots roots.json --vin ' + page.vin + ' --challenge ' + ch + ' ' + file;
      cliLine.replaceChildren('The bundle checked here, downloaded as ' + file + ', checks with the CLI and the ' +
        'consortium\'s published roots (not this gateway\'s copy): ', code);
      cliLine.hidden = false;
    };

    const verify = async () => {
      const ch = challenge.value.trim().toLowerCase();
      status.dataset.run = String(Number(status.dataset.run || '0') + 1);
      checks.replaceChildren();
      if (!CHALLENGE.test(ch)) {
        setStatus('error', 'Challenge: 32 to 128 hexadecimal digits, such as the random one this page makes.');
        return;
      }
      setStatus('busy', 'Asking the gateway for a proof bound to your challenge...');
      const url = new URL(page.bundleURL);
      url.searchParams.set('challenge', ch);
      const res = await fetch(url, {cache: 'no-store', headers: {Accept: 'application/json'}});
      if (!res.ok) {
        setStatus('error', 'The gateway made no bundle: ' + await problem(res));
        return;
      }
      const bundle = await res.text();

      if (blobURL) URL.revokeObjectURL(blobURL);
      blobURL = URL.createObjectURL(new Blob([bundle], {type: 'application/json'}));
      const file = 'autoledger-bundle-' + page.vin + '-' + ch.slice(0, 8) + '.json';
      download.href = blobURL;
      download.download = file;
      showCLI(file, ch);

      setStatus('busy', 'Checking the bundle...');
      // The serving member's copy of the roots: the CLI with the
      // consortium's own publication is the check that does not trust it.
      const rootsRes = await fetch(page.rootsURL, {cache: 'no-store', headers: {Accept: 'application/json'}});
      if (!rootsRes.ok) {
        setStatus('error', 'The gateway sent no roots: ' + await problem(rootsRes));
        return;
      }
      const roots = await rootsRes.text();
      const expect = JSON.stringify({channel: page.channel, vin: page.vin, challenge: ch, orderers: page.orderers});
      const result = JSON.parse(globalThis.autoledgerVerify(bundle, roots, expect));
      showChecks(result);
      if (result.error) {
        setStatus('fail', 'FAIL: ' + result.error);
      } else if (result.ok) {
        setStatus('pass', 'PASS: a majority of the consortium\'s members endorsed this report for your challenge ' +
          '(checked by this gateway\'s code against the roots it serves).');
      } else {
        const first = (result.checks || []).find(c => !c.ok);
        setStatus('fail', 'FAIL' + (first ? ': ' + first.name + ': ' + first.detail : ''));
      }
    };

    challenge.value = newChallenge();
    linkToGateway();
    challenge.addEventListener('input', linkToGateway);
    button.disabled = true;
    setStatus('loading', 'Loading the verifier...');
    button.addEventListener('click', () => {
      button.disabled = true;
      verify().catch(e => setStatus('error', 'Verification stopped: ' + e.message))
        .finally(() => { button.disabled = !verifier; });
    });

    loadVerifier(page.verifierURL).then(h => {
      verifier = true;
      button.disabled = false;
      hashLine.textContent = 'SHA-256 of the verifier this page loaded: ' +
        (h || 'unknown (the browser hashes only in a secure context)');
      hashLine.dataset.sha256 = h;
      hashLine.hidden = false;
      setStatus('ready', 'Press "' + button.textContent + '" to check this report here.');
    }, e => {
      if (e === notBuilt) {
        setStatus('unavailable', 'The in-browser verifier is not built into this gateway: download the bundle and ' +
          'check it with the command line below.');
      } else {
        setStatus('error', 'The verifier did not load: ' + e.message);
      }
    }).finally(() => { root.dataset.ready = 'true'; });
  };

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
