// AutoLedger owner portal. One hand-written script, no libraries, no
// external assets. It makes the owner's key on this device (WebCrypto
// ECDSA P-256, not extractable, kept in IndexedDB, one key per car),
// builds each owner statement itself in the canonical form of
// docs/owners.md, shows its exact text, and signs only when the owner
// says so. The gateway supplies the channel, a nonce and an expiry; the
// script checks them and builds everything else from what the owner typed.
// docs/portal.md publishes this file's SHA-256.
(function () {
  'use strict';

  var DOMAIN = 'autoledger-owner-statement/v1';
  // Each action's parameters in encoded order (ascending byte order of the names).
  var PARAMS = {
    'claim': ['key'],
    'release-sale': ['buyer', 'odometerKm'],
    'grant': ['grantee', 'notAfter', 'purpose', 'scopes'],
    'revoke': ['grant'],
    'erase': ['ownerNo']
  };
  var SPKI_PREFIX = hexToBytes('3059301306072a8648ce3d020106082a8648ce3d030107034200');
  // The longest a statement signed here stays valid, whatever the gateway
  // proposes: a signed statement is a bearer instrument until it is used.
  var MAX_LIFETIME_MS = 60 * 60 * 1000;
  // Claim codes: 7 groups of 4 Crockford base32 characters, 140 random bits
  // (the autoledger CLI makes the same shape).
  var CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
  var CLAIM_GROUPS = 7, CLAIM_GROUP_SIZE = 4;

  var VIN_SHAPE = /^[A-HJ-NPR-Z0-9]{17}$/;
  var HEX64 = /^[0-9a-f]{64}$/;
  var NONCE_SHAPE = /^[0-9a-f]{32}$/;
  var TIME_SHAPE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/;
  var CHANNEL_SHAPE = /^[a-z][a-z0-9.-]{0,48}$/;
  var VALUE_SHAPE = /^[\x21-\x3c\x3e-\x7e]+$/; // printable ASCII without '=' or a space
  var TOKEN_SHAPE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

  // ---- bytes and text ----

  function hexToBytes(h) {
    var out = new Uint8Array(h.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(h.substr(2 * i, 2), 16);
    return out;
  }

  function toHex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }

  function toBase64(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s);
  }

  // fromBase64 reads standard or URL-safe base64, padded or not.
  function fromBase64(text) {
    var s = text.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
    if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) throw new Error('not base64');
    while (s.length % 4) s += '=';
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  async function sha256Hex(data) {
    var bytes = typeof data === 'string' ? utf8(data) : data;
    return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  }

  // groups shows a fingerprint as people compare it: 16 groups of 4.
  function groups(fp) { return fp.match(/.{1,4}/g).join(' '); }

  // formatTime is a statement time: RFC 3339, UTC, whole seconds.
  function formatTime(ms) { return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'); }

  // ---- statements (docs/owners.md, "Encoding") ----

  // encodeStatement returns the canonical text of a statement: the bytes
  // the owner signs are its UTF-8 (all ASCII) encoding.
  function encodeStatement(s) {
    var names = PARAMS[s.action];
    if (!names) throw new Error('unknown action ' + s.action);
    var given = Object.keys(s.params).sort();
    if (given.join(',') !== names.slice().sort().join(',')) {
      throw new Error('action ' + s.action + ' takes ' + names.join(', ') + '; got ' + given.join(', '));
    }
    if (!CHANNEL_SHAPE.test(s.channel)) throw new Error('bad channel ' + JSON.stringify(s.channel));
    if (!VIN_SHAPE.test(s.vin)) throw new Error('bad VIN ' + JSON.stringify(s.vin));
    if (!NONCE_SHAPE.test(s.nonce)) throw new Error('bad nonce');
    if (!TIME_SHAPE.test(s.expires)) throw new Error('bad expiry ' + JSON.stringify(s.expires));
    var text = DOMAIN + '\n' + 'channel=' + s.channel + '\n' + 'vin=' + s.vin + '\n' + 'action=' + s.action + '\n';
    names.forEach(function (n) {
      var v = String(s.params[n]);
      if (!VALUE_SHAPE.test(v)) throw new Error('parameter ' + n + ' has a character a statement cannot hold');
      text += n + '=' + v + '\n';
    });
    return text + 'nonce=' + s.nonce + '\n' + 'expires=' + s.expires + '\n';
  }

  // spkiOf takes a P-256 public key as WebCrypto exports it (91-byte SPKI
  // or 65-byte raw point) and returns the SPKI.
  function spkiOf(bytes) {
    if (bytes.length === 65 && bytes[0] === 4) {
      var out = new Uint8Array(91);
      out.set(SPKI_PREFIX, 0);
      out.set(bytes, 26);
      return out;
    }
    if (bytes.length === 91 && toHex(bytes.subarray(0, 26)) === toHex(SPKI_PREFIX)) return bytes;
    throw new Error('not an uncompressed P-256 public key (SPKI or raw)');
  }

  // fingerprint is the lower-case hex SHA-256 of the key's SPKI.
  function fingerprint(publicKeyBytes) { return sha256Hex(spkiOf(publicKeyBytes)); }

  // claimHash is how the ledger knows a claim code: sha256(salt ":" code).
  function claimHash(salt, code) { return sha256Hex(salt + ':' + code); }

  function randomBytes(n) { return crypto.getRandomValues(new Uint8Array(n)); }

  // newClaimCode makes a code for a buyer and the salt its hash is made with.
  function newClaimCode() {
    var raw = randomBytes(CLAIM_GROUPS * CLAIM_GROUP_SIZE);
    var code = '';
    for (var i = 0; i < raw.length; i++) {
      if (i > 0 && i % CLAIM_GROUP_SIZE === 0) code += '-';
      code += CROCKFORD[raw[i] & 31]; // 256 is a multiple of 32: uniform
    }
    return { code: code, salt: toHex(randomBytes(16)) };
  }

  // normalizeClaimCode undoes what a person does when copying a code of
  // that shape (case, spaces, missing dashes, i/l for 1, o for 0); any
  // other code is only trimmed, since the ledger hashes it as given.
  function normalizeClaimCode(input) {
    var s = input.trim();
    var chars = '';
    var lower = s.toLowerCase();
    for (var i = 0; i < lower.length; i++) {
      var c = lower[i];
      if (c === '-' || c === ' ') continue;
      if (c === 'i' || c === 'l') c = '1';
      if (c === 'o') c = '0';
      if (CROCKFORD.indexOf(c) < 0) return s;
      chars += c;
    }
    if (chars.length !== CLAIM_GROUPS * CLAIM_GROUP_SIZE) return s;
    return chars.match(new RegExp('.{' + CLAIM_GROUP_SIZE + '}', 'g')).join('-');
  }

  // ---- the owner's keys, in IndexedDB ----
  // Store "keys": the car's current key under id = VIN; a key set aside
  // (its ownership ended, a new one is claimed on this device) under
  // VIN "/" fingerprint, kept because erasing a past ownership needs it.

  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open('autoledger-owner', 1);
        req.onupgradeneeded = function () { req.result.createObjectStore('keys', { keyPath: 'id' }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(new Error('this browser keeps no keys here (IndexedDB: ' + req.error + ')')); };
      });
    }
    return dbPromise;
  }

  async function store(mode, fn) {
    var d = await db();
    return new Promise(function (resolve, reject) {
      var tx = d.transaction('keys', mode);
      var req = fn(tx.objectStore('keys'));
      tx.oncomplete = function () { resolve(req && req.result); };
      tx.onerror = function () { reject(tx.error); };
      tx.onabort = function () { reject(tx.error || new Error('key store transaction aborted')); };
    });
  }

  function loadKey(vin) { return store('readonly', function (s) { return s.get(vin); }); }

  async function createKey(vin) {
    // Not extractable: the private key never leaves the browser's key store.
    var pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    var spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    var rec = { id: vin, vin: vin, privateKey: pair.privateKey, publicKey: pair.publicKey,
      spki: spki, fingerprint: await sha256Hex(spki), createdAt: new Date().toISOString() };
    await store('readwrite', function (s) { return s.add(rec); });
    return rec;
  }

  async function setAside(rec) {
    var old = Object.assign({}, rec, { id: rec.vin + '/' + rec.fingerprint });
    await store('readwrite', function (s) { s.put(old); return s.delete(rec.vin); });
  }

  async function sign(rec, text) {
    var sig = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, rec.privateKey, utf8(text));
    return new Uint8Array(sig); // IEEE P1363 r || s, 64 bytes
  }

  // ---- the gateway ----

  function vehiclePath(vin, sub) {
    return '/v1/owner/vehicles/' + encodeURIComponent(vin) + (sub ? '/' + sub : '');
  }

  async function call(method, path, body) {
    var init = { method: method, headers: { 'Accept': 'application/json' }, credentials: 'omit',
      cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer' };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    var res = await fetch(path, init);
    var text = await res.text();
    var json = null;
    try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
    if (!res.ok) throw problemError(res.status, json);
    return { status: res.status, body: json };
  }

  function problemError(status, p) {
    if (!p || typeof p !== 'object') return new Error('the gateway answered HTTP ' + status);
    var msg = (p.title || 'HTTP ' + status) + (p.code ? ' (' + p.code + ')' : '') + (p.detail ? ': ' + p.detail : '');
    (p.errors || []).forEach(function (f) { msg += '; ' + f.field + ': ' + f.message; });
    var err = new Error(msg);
    err.code = p.code;
    return err;
  }

  // challenge asks for a nonce and checks that the answer is for the
  // car, action and format this script asked for.
  async function challenge(vin, action) {
    var ch = (await call('POST', '/v1/owner/challenges', { vin: vin, action: action })).body || {};
    if (ch.domain !== undefined && ch.domain !== DOMAIN) throw new Error('the gateway speaks ' + ch.domain + ', this page ' + DOMAIN);
    if (ch.vin !== vin || ch.action !== action) throw new Error('the gateway answered a challenge for another car or action');
    if (!CHANNEL_SHAPE.test(ch.channel || '') || !NONCE_SHAPE.test(ch.nonce || '')) throw new Error('the gateway sent a malformed challenge');
    var proposed = Date.parse(ch.expires);
    if (!TIME_SHAPE.test(ch.expires || '') || isNaN(proposed)) throw new Error('the gateway sent a malformed expiry');
    var now = Date.now();
    var expires = Math.min(proposed, now + MAX_LIFETIME_MS);
    if (expires <= now) throw new Error('the statement would expire at once: check this computer\'s clock');
    return { channel: ch.channel, nonce: ch.nonce, expires: formatTime(expires) };
  }

  // ---- the page ----

  var el = function (id) { return document.getElementById(id); };
  var state = { vin: null, view: null, report: null, key: null, busy: false, op: 0, charts: 0 };

  function make(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  // setStatus reports an operation's outcome; data-op counts operations so
  // that a test (or a screen reader user) can tell one outcome from the next.
  function setStatus(kind, action, message) {
    var s = el('status');
    s.dataset.state = kind;
    s.dataset.action = action;
    s.dataset.op = String(state.op);
    s.textContent = message;
  }

  function cancelled() { var e = new Error('Cancelled: nothing was signed.'); e.cancelled = true; return e; }

  // run performs one operation at a time and reports its outcome.
  async function run(action, fn) {
    if (state.busy) return;
    state.busy = true;
    state.op++;
    document.body.classList.add('busy');
    setStatus('busy', action, 'Working...');
    try {
      setStatus('ok', action, await fn());
    } catch (e) {
      setStatus(e.cancelled ? 'cancelled' : 'error', action, e.message || String(e));
    } finally {
      state.busy = false;
      document.body.classList.remove('busy');
      el('review').hidden = true;
    }
  }

  // review shows the exact statement text and the signing key and waits
  // for the owner's decision: true to sign, an exception to cancel.
  function review(text, rec, note) {
    el('review-text').textContent = text;
    el('review-key').textContent = groups(rec.fingerprint);
    el('review-note').textContent = note || '';
    el('review').hidden = false;
    el('review-sign').focus();
    return new Promise(function (resolve, reject) {
      function done(ok) {
        el('review-sign').onclick = null;
        el('review-cancel').onclick = null;
        el('review').hidden = true;
        if (ok) resolve(true); else reject(cancelled());
      }
      el('review-sign').onclick = function () { done(true); };
      el('review-cancel').onclick = function () { done(false); };
    });
  }

  // signed builds, shows and signs one statement about the open car.
  async function signed(action, params, rec, note) {
    var vin = state.vin;
    var ch = await challenge(vin, action);
    var text = encodeStatement({ channel: ch.channel, vin: vin, action: action, params: params, nonce: ch.nonce, expires: ch.expires });
    await review(text, rec, note);
    var sig = await sign(rec, text);
    return { statement: text, signature: toBase64(sig), id: await sha256Hex(text) };
  }

  function outcome(res, done) {
    if (res.status === 202) {
      var tx = res.body && res.body.transactionId ? ' (transaction ' + res.body.transactionId + ')' : '';
      return 'Sent; the ledger has not confirmed it yet' + tx + '. Reload the car later.';
    }
    return done;
  }

  // readView reads the car's ownerships and grants from the gateway's
  // answer (an OwnerView with the car's grants).
  function readView(body) {
    var b = body || {};
    return {
      ownerCount: b.ownerCount || 0,
      current: b.current || null,
      ownerships: b.ownerships || [],
      grants: b.grants || []
    };
  }

  // ownKeyBound says whether this device's key for the car is the one the
  // ledger holds for the current ownership.
  function ownKeyBound() {
    var cur = state.view && state.view.current;
    return !!(state.key && cur && cur.status === 'owned' && cur.keyFingerprint === state.key.fingerprint);
  }

  async function openCar(vin) {
    state.vin = vin;
    await refresh();
  }

  // refresh reads the car again: its ownerships and grants, and its
  // history report (public, shown as a list besides the charts).
  async function refresh() {
    state.key = await loadKey(state.vin);
    state.view = readView((await call('GET', vehiclePath(state.vin))).body);
    try {
      state.report = (await call('GET', vehiclePath(state.vin, 'report'))).body;
    } catch (e) {
      state.report = null; // the list is a convenience; the charts say the same
    }
    render();
  }

  function render() {
    var v = state.view, cur = v.current;
    el('car').hidden = false;
    el('car-vin').textContent = state.vin;

    renderKey();

    var o = el('ownership');
    o.replaceChildren();
    function row(name, value) { o.append(make('dt', name), make('dd', value)); }
    if (!cur) {
      row('Status', 'not sold yet');
    } else {
      row('Owner', 'number ' + cur.ownerNo + ' of ' + v.ownerCount);
      row('Status', cur.status);
      if (cur.keyFingerprint) row('Owner key on the ledger', groups(cur.keyFingerprint));
    }
    if (state.key) {
      var mine = v.ownerships.filter(function (x) { return x.keyFingerprint === state.key.fingerprint; })[0];
      row('This device', !mine ? 'holds a key not bound to this car' :
        mine === cur || (cur && mine.ownerNo === cur.ownerNo) ? 'holds the owner key' :
          'holds the key of owner number ' + mine.ownerNo + ' (' + mine.status + ')');
    }
    o.dataset.status = cur ? cur.status : 'none';

    el('claim-section').hidden = !(cur && cur.status === 'awaiting-claim');
    el('grant-section').hidden = !ownKeyBound();
    el('sale-section').hidden = !ownKeyBound();

    renderGrants(v.grants);
    renderHistory(state.report);
    state.charts++;
    el('chart-odometer').src = vehiclePath(state.vin, 'odometer.svg') + '?v=' + state.charts;
    el('chart-battery').src = vehiclePath(state.vin, 'battery.svg') + '?v=' + state.charts;
  }

  function renderKey() {
    var key = el('key-info');
    if (state.key) {
      key.textContent = 'The key on this device for this car: ' + groups(state.key.fingerprint);
    } else {
      key.textContent = 'This device holds no key for this car; one is made when you claim it.';
    }
    key.dataset.fingerprint = state.key ? state.key.fingerprint : '';
  }

  function renderGrants(grants) {
    var body = el('grants-body');
    body.replaceChildren();
    el('grants-empty').hidden = grants.length > 0;
    grants.forEach(function (g) {
      var tr = make('tr');
      tr.dataset.grant = g.id;
      var live = g.live !== undefined ? g.live : !g.revokedAt;
      tr.dataset.live = String(live);
      tr.append(make('td', g.grantee), make('td', (g.scopes || []).join(', ')), make('td', g.purpose),
        make('td', (g.notAfter || '').replace('T', ' ').replace('Z', ' UTC')),
        make('td', g.revokedAt ? 'revoked' : (live ? 'live' : 'ended')));
      var td = make('td');
      if (live && !g.revokedAt && ownKeyBound() && g.keyFingerprint === state.key.fingerprint) {
        var b = make('button', 'Revoke', 'revoke');
        b.type = 'button';
        b.addEventListener('click', function () { run('revoke', function () { return revoke(g); }); });
        td.append(b);
      }
      tr.append(td);
      body.append(tr);
    });
  }

  // renderHistory lists what the history report holds, newest first.
  function renderHistory(report) {
    var list = el('history');
    list.replaceChildren();
    el('history-section').hidden = !report;
    if (!report) return;
    var alerts = el('alerts');
    alerts.replaceChildren();
    (report.alerts || []).forEach(function (a) { alerts.append(make('li', a.toLowerCase().replace(/_/g, ' '))); });
    alerts.hidden = !(report.alerts || []).length;
    historyItems(report).sort(function (a, b) { return a.at < b.at ? 1 : a.at > b.at ? -1 : 0; }).forEach(function (item) {
      var li = make('li', null, item.cls);
      li.append(make('time', item.at.slice(0, 10)), document.createTextNode(' ' + item.text));
      list.append(li);
    });
  }

  function km(n) { return Number(n).toLocaleString('en') + ' km'; }

  // historyItems are the report's dated facts.
  function historyItems(r) {
    var out = [];
    function add(at, text, cls) { if (at) out.push({ at: at, text: text, cls: cls || '' }); }
    add(r.registeredAt, 'Registered: ' + [r.manufacturer, r.model, r.modelYear].filter(Boolean).join(' '));
    ((r.odometer || {}).timeline || []).forEach(function (o) {
      add(o.observedAt, 'Odometer ' + km(o.totalKm) + ' (' + o.source + ')' + (o.rollback ? ': suspected rollback' : ''), o.rollback ? 'rollback' : '');
    });
    (r.services || []).forEach(function (s) { add(s.performedAt, 'Service (' + s.type + ') at ' + km(s.odometerKm)); });
    (r.incidents || []).forEach(function (i) {
      add(i.date, 'Incident, ' + i.severity + (i.structuralDamage ? ', structural damage' : '') + (i.airbagDeployed ? ', airbag deployed' : ''));
    });
    (r.titleBrands || []).forEach(function (b) { add(b.date, 'Title brand: ' + b.brand); });
    if (r.battery) add(r.battery.reportedAt, 'Battery report: ' + r.battery.stateOfHealthPct + ' % state of health');
    return out;
  }

  // ---- the flows ----

  async function claim(code) {
    if (!code) throw new Error('Enter the claim code the seller gave you.');
    var rec = state.key;
    // A key already bound to one of this car's ownerships (this device
    // owned the car before) is set aside: one key per ownership.
    var used = rec && state.view.ownerships.some(function (o) {
      return o.keyFingerprint === rec.fingerprint || (o.previousKeys || []).some(function (p) { return p.fingerprint === rec.fingerprint; });
    });
    if (rec && used) {
      await setAside(rec);
      rec = null;
    }
    if (!rec) {
      rec = state.key = await createKey(state.vin);
      renderKey();
    }
    var s = await signed('claim', { key: rec.fingerprint }, rec,
      'Claiming binds this key to the car. Compare the fingerprint with the one the seller shows.');
    var res = await call('POST', vehiclePath(state.vin, 'claim'),
      { statement: s.statement, signature: s.signature, publicKey: toBase64(rec.spki), claimCode: code });
    el('claim-code').value = '';
    await refresh();
    return outcome(res, 'Claimed: this device holds the owner key ' + groups(rec.fingerprint) + '.');
  }

  async function grant(form) {
    var scopes = Array.prototype.filter.call(form.querySelectorAll('input[name=scope]'), function (c) { return c.checked; })
      .map(function (c) { return c.value; }).sort();
    if (!scopes.length) throw new Error('Pick at least one scope.');
    var purpose = el('grant-purpose').value.trim();
    if (!TOKEN_SHAPE.test(purpose) || purpose.length > 64) throw new Error('Purpose: lower-case words joined by "-", e.g. usage-based-insurance.');
    var days = Number(el('grant-days').value);
    if (!Number.isInteger(days) || days < 1 || days > 365) throw new Error('Days: a whole number from 1 to 365.');
    var params = { grantee: el('grant-grantee').value, notAfter: formatTime(Date.now() + days * 86400000),
      purpose: purpose, scopes: scopes.join(',') };
    var s = await signed('grant', params, state.key, 'Lets ' + params.grantee + ' read ' + scopes.join(', ') + ' until ' + params.notAfter + '.');
    var res = await call('POST', vehiclePath(state.vin, 'grants'), { statement: s.statement, signature: s.signature });
    await refresh();
    return outcome(res, 'Granted: ' + params.grantee + ' may read ' + scopes.join(', ') + ' (grant ' + s.id.slice(0, 12) + ').');
  }

  async function revoke(g) {
    var s = await signed('revoke', { grant: g.id }, state.key, 'Ends the grant to ' + g.grantee + '; its shared copies are purged.');
    var res = await call('POST', vehiclePath(state.vin, 'revocations'), { statement: s.statement, signature: s.signature });
    await refresh();
    return outcome(res, 'Revoked the grant to ' + g.grantee + '.');
  }

  async function sell() {
    var odometer = el('sale-odometer').value.trim();
    if (!/^(0|[1-9][0-9]{0,7})$/.test(odometer) || Number(odometer) > 10000000) throw new Error('Odometer: whole kilometres, 0 to 10,000,000.');
    var date = el('sale-date').value;
    if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date)) throw new Error('Enter the sale date.');
    var body = { saleDate: date + 'T00:00:00Z', useType: el('sale-use').value };
    var buyer, code = null;
    if (el('sale-to-key').checked) {
      var pub;
      try { pub = spkiOf(fromBase64(el('sale-buyer-key').value)); } catch (e) { throw new Error('Buyer\'s public key: ' + e.message + '.'); }
      var fp = await sha256Hex(pub);
      var typed = el('sale-buyer-fingerprint').value.toLowerCase().replace(/[^0-9a-f]/g, '');
      if (typed !== fp) throw new Error('The buyer\'s key has fingerprint ' + groups(fp) + ', not the one typed: check both with the buyer.');
      if (fp === state.key.fingerprint) throw new Error('That is this car\'s owner key, not a buyer\'s.');
      buyer = 'key:' + fp;
      body.buyerPublicKey = toBase64(pub);
    } else {
      code = newClaimCode();
      buyer = 'claim:' + await claimHash(code.salt, code.code);
      body.claimSalt = code.salt;
    }
    var s = await signed('release-sale', { buyer: buyer, odometerKm: odometer }, state.key,
      code ? 'Releases the car to whoever redeems the claim code shown after the sale.' : 'Releases the car to the buyer\'s key.');
    body.statement = s.statement;
    body.signature = s.signature;
    var res = await call('POST', vehiclePath(state.vin, 'sale'), body);
    if (code) {
      el('sale-code-text').textContent = code.code;
      el('sale-code').hidden = false;
    }
    await refresh();
    return outcome(res, code ? 'Sold: give the buyer the claim code below.' : 'Sold to the key ' + groups(buyer.slice(4)) + '.');
  }

  // ---- wiring ----

  function wire() {
    if (!window.crypto || !crypto.subtle || !window.indexedDB) {
      setStatus('error', 'load', 'This page needs a browser with WebCrypto and IndexedDB over HTTPS (or on this computer).');
      return;
    }
    el('vin-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var vin = el('vin').value.trim().toUpperCase();
      run('open', async function () {
        if (!VIN_SHAPE.test(vin)) throw new Error('A VIN is 17 characters: digits and capital letters except I, O and Q.');
        el('sale-code').hidden = true;
        await openCar(vin);
        return 'Showing ' + vin + '.';
      });
    });
    el('claim-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var code = normalizeClaimCode(el('claim-code').value);
      run('claim', function () { return claim(code); });
    });
    el('grant-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      run('grant', function () { return grant(ev.target); });
    });
    el('sale-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      run('sale', sell);
    });
    function buyerKind() { el('sale-key-fields').hidden = !el('sale-to-key').checked; }
    el('sale-to-key').addEventListener('change', buyerKind);
    el('sale-to-code').addEventListener('change', buyerKind);
    buyerKind();
    el('sale-date').value = new Date().toISOString().slice(0, 10);
    document.body.dataset.ready = 'true';
  }

  // The pure functions, for the browser tests (they check them against
  // the Go implementation's test vector) and for anyone auditing the page.
  window.AutoLedgerPortal = Object.freeze({
    encodeStatement: encodeStatement, fingerprint: fingerprint, claimHash: claimHash,
    normalizeClaimCode: normalizeClaimCode, newClaimCode: newClaimCode, groups: groups,
    formatTime: formatTime, fromBase64: fromBase64, toBase64: toBase64, hexToBytes: hexToBytes, toHex: toHex
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire); else wire();
})();
