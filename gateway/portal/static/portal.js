// AutoLedger owner portal. One hand-written script, no libraries, no
// external assets. It makes the owner's key on this device (WebCrypto
// ECDSA P-256, not extractable, kept in IndexedDB, one key per car),
// builds each owner statement itself in the canonical form of
// docs/owners.md, shows its exact text, and signs only when the owner
// says so. The gateway supplies the channel, a nonce and an expiry; the
// script checks them and builds everything else from what the owner typed.
// A claim code is a P-256 private key (the claim key): the script signs
// the claim with it and never sends it anywhere.
// docs/portal.md publishes this file's SHA-256.
(function () {
  'use strict';

  var DOMAIN = 'autoledger-owner-statement/v1';
  // Each action's parameters in encoded order (ascending byte order of the names).
  var PARAMS = {
    'claim': ['key'],
    'release-sale': ['buyer', 'odometerKm', 'saleDate', 'useType'],
    'grant': ['grantee', 'notAfter', 'purpose', 'scopes'],
    'revoke': ['grant'],
    'erase': ['ownerNo']
  };
  var SPKI_PREFIX = hexToBytes('3059301306072a8648ce3d020106082a8648ce3d030107034200');
  // A PKCS#8 PrivateKeyInfo of a P-256 key up to its private scalar d:
  // version 0, id-ecPublicKey with prime256v1, and an RFC 5915 ECPrivateKey
  // (version 1, d as 32 bytes) without the optional public key, which the
  // browser derives from d.
  var PKCS8_PREFIX = hexToBytes('3041020100301306072a8648ce3d020106082a8648ce3d030107042730250201010420');
  // P-256's group order n: a private scalar is 1 <= d < n.
  var P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
  var ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' };
  var ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' };
  // The longest a statement signed here stays valid, whatever the gateway
  // proposes: a signed statement is a bearer instrument until it is used.
  var MAX_LIFETIME_MS = 60 * 60 * 1000;
  // Claim codes (docs/owners.md): the claim key's 32-byte scalar d in
  // Crockford base32, 52 characters (260 bits, the leading 4 zero), shown
  // as 13 groups of 4.
  var CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
  var CLAIM_CODE_LENGTH = 52, CLAIM_GROUP_SIZE = 4;

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

  // ---- claim codes: the claim key written for people ----

  // parseClaimCode reads a claim code as a person may have copied it (any
  // case, spaces, dashes anywhere, i or l for 1, o for 0) and returns the
  // claim key's scalar d as 32 bytes, or throws naming the rule broken.
  function parseClaimCode(input) {
    var chars = String(input).toLowerCase().replace(/[\s-]+/g, '').replace(/[il]/g, '1').replace(/o/g, '0');
    if (chars.length !== CLAIM_CODE_LENGTH) {
      throw new Error('a claim code is ' + CLAIM_CODE_LENGTH + ' letters and digits (13 groups of 4); this one has ' + chars.length);
    }
    var d = BigInt(0);
    for (var i = 0; i < chars.length; i++) {
      var v = CROCKFORD.indexOf(chars[i]);
      if (v < 0) throw new Error('a claim code has no "' + chars[i] + '": it uses 0-9 and a-z without i, l, o and u');
      d = d * BigInt(32) + BigInt(v);
    }
    if (d >> BigInt(256) !== BigInt(0)) throw new Error('a claim code starts with 0 or 1: this one is mistyped');
    if (d === BigInt(0) || d >= P256_N) throw new Error('this claim code is no valid key: it is mistyped');
    var out = new Uint8Array(32);
    for (var j = 31; j >= 0; j--) { out[j] = Number(d & BigInt(255)); d >>= BigInt(8); }
    return out;
  }

  // encodeClaimCode writes the 32-byte scalar d as a claim code.
  function encodeClaimCode(scalar) {
    if (scalar.length !== 32) throw new Error('a P-256 private scalar is 32 bytes');
    var d = BigInt('0x' + toHex(scalar));
    var chars = '';
    for (var i = 0; i < CLAIM_CODE_LENGTH; i++) {
      chars = CROCKFORD[Number(d & BigInt(31))] + chars;
      d >>= BigInt(5);
    }
    return chars.match(new RegExp('.{' + CLAIM_GROUP_SIZE + '}', 'g')).join('-');
  }

  // pkcs8FromScalar is the PKCS#8 form of the P-256 private key d, the one
  // form WebCrypto imports a private key from without its public key.
  function pkcs8FromScalar(scalar) {
    var out = new Uint8Array(PKCS8_PREFIX.length + 32);
    out.set(PKCS8_PREFIX, 0);
    out.set(scalar, PKCS8_PREFIX.length);
    return out;
  }

  // rawPointOf is the 65-byte uncompressed point of a public JWK.
  function rawPointOf(jwk) {
    var x = fromBase64(jwk.x), y = fromBase64(jwk.y);
    if (x.length !== 32 || y.length !== 32) throw new Error('not a P-256 key');
    var out = new Uint8Array(65);
    out[0] = 4;
    out.set(x, 1);
    out.set(y, 33);
    return out;
  }

  // claimKeyFromCode imports the claim key a code holds: its signing key
  // (kept in memory for one claim only), SPKI and fingerprint.
  async function claimKeyFromCode(code) {
    var scalar = parseClaimCode(code);
    // Extractable only so that the script can read the public key the
    // browser derived; the key object lives for this claim.
    var key = await crypto.subtle.importKey('pkcs8', pkcs8FromScalar(scalar), ECDSA_P256, true, ['sign']);
    var spki = spkiOf(rawPointOf(await crypto.subtle.exportKey('jwk', key)));
    return { privateKey: key, spki: spki, fingerprint: await sha256Hex(spki) };
  }

  // newClaimKey makes a claim key for a buyer: the code to hand over, and
  // the public key and fingerprint the sale names. The code is read back
  // through claimKeyFromCode, so a code this page shows always claims.
  async function newClaimKey() {
    var pair = await crypto.subtle.generateKey(ECDSA_P256, true, ['sign', 'verify']);
    var jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    var code = encodeClaimCode(fromBase64(jwk.d));
    var spki = new Uint8Array(await crypto.subtle.exportKey('spki', pair.publicKey));
    var fp = await sha256Hex(spki);
    if ((await claimKeyFromCode(code)).fingerprint !== fp) throw new Error('the new claim code does not read back as its key; nothing was signed');
    return { code: code, spki: spki, fingerprint: fp };
  }

  // ---- statements read back ----

  // decodeStatement reads a statement's text; it accepts only the
  // canonical form, the one encodeStatement makes.
  function decodeStatement(text) {
    var lines = String(text).split('\n');
    if (lines.length < 7 || lines.pop() !== '' || lines[0] !== DOMAIN) throw new Error('not a ' + DOMAIN + ' statement');
    var fields = lines.slice(1).map(function (l) {
      var i = l.indexOf('=');
      if (i <= 0) throw new Error('a statement line is name=value');
      return [l.slice(0, i), l.slice(i + 1)];
    });
    function take(name) {
      var f = fields.shift();
      if (!f || f[0] !== name) throw new Error('the statement has no ' + name + ' where it belongs');
      return f[1];
    }
    var s = { channel: take('channel'), vin: take('vin'), action: take('action'), params: {} };
    var names = PARAMS[s.action];
    if (!names) throw new Error('the statement\'s action ' + JSON.stringify(s.action) + ' is unknown to this page');
    names.forEach(function (n) { s.params[n] = take(n); });
    s.nonce = take('nonce');
    s.expires = take('expires');
    if (fields.length) throw new Error('the statement has more lines than its action takes');
    if (encodeStatement(s) !== text) throw new Error('the statement is not in canonical form');
    return s;
  }

  // ---- the owner's keys and the buyers' claim codes, in IndexedDB ----
  // Store "keys": the car's current key under id = VIN; a key set aside
  // (its ownership ended, a new one is claimed on this device) under
  // VIN "/" fingerprint, kept because erasing a past ownership needs it.
  // Store "codes": each claim code this browser made for a buyer, under
  // VIN "/" the claim key's fingerprint, kept from before its sale is
  // sent until the buyer has claimed (or another sale replaced it), so
  // that a sale that reached the ledger while its answer got lost does
  // not leave the car waiting for a code nobody has.

  var dbPromise = null;

  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var req = indexedDB.open('autoledger-owner', 2);
        req.onupgradeneeded = function () {
          var names = req.result.objectStoreNames;
          if (!names.contains('keys')) req.result.createObjectStore('keys', { keyPath: 'id' });
          if (!names.contains('codes')) req.result.createObjectStore('codes', { keyPath: 'id' });
        };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(new Error('this browser keeps no keys here (IndexedDB: ' + req.error + ')')); };
      });
    }
    return dbPromise;
  }

  async function store(mode, fn, name) {
    var d = await db();
    name = name || 'keys';
    return new Promise(function (resolve, reject) {
      var tx = d.transaction(name, mode);
      var req = fn(tx.objectStore(name));
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

  function saveCode(rec) { return store('readwrite', function (s) { return s.put(rec); }, 'codes'); }

  function deleteCode(id) { return store('readwrite', function (s) { return s.delete(id); }, 'codes'); }

  async function loadCodes(vin) {
    var all = await store('readonly', function (s) { return s.getAll(); }, 'codes');
    return (all || []).filter(function (c) { return c.vin === vin; });
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
    return { status: res.status, body: json, date: Date.parse(res.headers.get('Date') || '') };
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
    var res = await call('POST', '/v1/owner/challenges', { vin: vin, action: action });
    var ch = res.body || {};
    if (ch.domain !== undefined && ch.domain !== DOMAIN) throw new Error('the gateway speaks ' + ch.domain + ', this page ' + DOMAIN);
    if (ch.vin !== vin || ch.action !== action) throw new Error('the gateway answered a challenge for another car or action');
    if (!CHANNEL_SHAPE.test(ch.channel || '') || !NONCE_SHAPE.test(ch.nonce || '')) throw new Error('the gateway sent a malformed challenge');
    var proposed = Date.parse(ch.expires);
    if (!TIME_SHAPE.test(ch.expires || '') || isNaN(proposed)) throw new Error('the gateway sent a malformed expiry');
    var now = Date.now();
    var expires = Math.min(proposed, now + MAX_LIFETIME_MS);
    if (expires <= now) throw new Error('the statement would expire at once: check this computer\'s clock');
    // The gateway's clock (its Date header, whole seconds) is the one the
    // ledger's transaction time comes from: a time this statement names as
    // past (a sale date) must not be later than it, whatever this
    // computer's clock says. Without the header, a minute's margin.
    var past = isNaN(res.date) ? now - 60000 : Math.min(now, res.date);
    return { channel: ch.channel, nonce: ch.nonce, expires: formatTime(expires), now: formatTime(past) };
  }

  // ---- the page ----

  var el = function (id) { return document.getElementById(id); };
  var state = { vin: null, view: null, report: null, key: null, terms: {}, code: null, busy: false, op: 0, charts: 0 };

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
  // params may be a function of the challenge (for a time it names).
  async function signed(action, params, rec, note) {
    var vin = state.vin;
    var ch = await challenge(vin, action);
    if (typeof params === 'function') params = params(ch);
    var text = encodeStatement({ channel: ch.channel, vin: vin, action: action, params: params, nonce: ch.nonce, expires: ch.expires });
    await review(text, rec, typeof note === 'function' ? note(params) : note);
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
    state.terms = {};
    for (var i = 0; i < state.view.grants.length; i++) {
      var g = state.view.grants[i];
      state.terms[g.id] = await grantTerms(g);
    }
    state.code = await reconcileCodes(state.vin, state.view.current);
    try {
      state.report = (await call('GET', vehiclePath(state.vin, 'report'))).body;
    } catch (e) {
      state.report = null; // the list is a convenience; the charts say the same
    }
    render();
  }

  // grantTerms reads a listed grant's terms from the statement its owner
  // signed, which the record keeps, after checking that the statement is
  // the one the grant's ID names (its SHA-256) and a grant of this car:
  // the page shows and revokes what was signed, not what a gateway says.
  // It returns { terms } or { problem }.
  async function grantTerms(g) {
    if (typeof g.statement !== 'string' || !g.statement) return { problem: 'the gateway did not send the statement the owner signed for grant ' + g.id };
    if (await sha256Hex(g.statement) !== g.id) return { problem: 'the statement the gateway sent for grant ' + g.id + ' is not the one that ID names' };
    var st;
    try { st = decodeStatement(g.statement); } catch (e) { return { problem: 'the statement of grant ' + g.id + ' does not read: ' + e.message }; }
    if (st.action !== 'grant' || st.vin !== state.vin) return { problem: 'grant ' + g.id + '\'s statement is no grant for ' + state.vin };
    return { terms: st.params };
  }

  // reconcileCodes keeps the buyers' claim codes this browser made for the
  // car while they may still be needed, forgets the others, and returns
  // the one to show: the code of the ownership awaiting its claim, or of a
  // sale the ledger does not show yet (sent, or failed).
  async function reconcileCodes(vin, cur) {
    var show = null;
    var codes = await loadCodes(vin);
    for (var i = 0; i < codes.length; i++) {
      var c = codes[i];
      var awaited = cur && cur.ownerNo === c.forOwnerNo && cur.status === 'awaiting-claim' &&
        (!cur.claimFingerprint || cur.claimFingerprint === c.fingerprint);
      var pending = !cur || cur.ownerNo < c.forOwnerNo;
      if (awaited || pending) {
        if (!show || awaited || (!show.awaited && c.createdAt > show.createdAt)) show = Object.assign({ awaited: awaited }, c);
      } else {
        await deleteCode(c.id); // claimed, or another sale or exception replaced it
      }
    }
    return show;
  }

  // showCode puts a buyer's claim code on the screen with what to do with it.
  function showCode(c, note) {
    el('sale-code-text').textContent = c.code;
    el('sale-code-note').textContent = note;
    el('sale-code').dataset.fingerprint = c.fingerprint;
    el('sale-code').hidden = false;
  }

  function render() {
    var v = state.view, cur = v.current;
    el('car').hidden = false;
    el('car-vin').textContent = state.vin;

    renderKey();
    if (state.code) {
      showCode(state.code, state.code.awaited ?
        'The car awaits its claim with this code. Give it to the buyer, who claims the car with it on their own device.' :
        'This browser made this code for a sale the ledger does not show yet. If the sale went through, the buyer needs it; if not, sign the sale again (a new code replaces this one).');
    } else {
      el('sale-code').hidden = true;
    }

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
      var t = (state.terms[g.id] || {}).terms;
      tr.dataset.verified = String(!!t);
      if (t) {
        tr.append(make('td', t.grantee), make('td', t.scopes.split(',').join(', ')), make('td', t.purpose),
          make('td', t.notAfter.replace('T', ' ').replace('Z', ' UTC')));
      } else {
        var td0 = make('td', 'unverified: the gateway did not send this grant\'s signed statement', 'unverified');
        td0.colSpan = 4;
        tr.append(td0);
      }
      tr.append(make('td', g.revokedAt ? 'revoked' : (live ? 'live' : 'ended')));
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

  async function claim(input) {
    if (!input.trim()) throw new Error('Enter the claim code the seller gave you.');
    var claimKey;
    try { claimKey = await claimKeyFromCode(input); } catch (e) { throw new Error('Claim code: ' + e.message + '. Nothing was signed or sent.'); }
    // The ledger names the claim key it waits for: a code for another car
    // or sale is refused here, before the owner is asked to sign.
    var cur = state.view.current;
    if (cur && cur.claimFingerprint && cur.claimFingerprint !== claimKey.fingerprint) {
      throw new Error('This is not the claim code this car awaits: check it with the seller. Nothing was signed or sent.');
    }
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
      'Claiming binds this key to the car. Compare the fingerprint with the one the seller shows. The claim code signs this statement too; it is not sent.');
    // The claim key signs the same bytes: the proof of the code that gives
    // nobody who sees it the code, nor a claim for another key.
    var claimSig = new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, claimKey.privateKey, utf8(s.statement)));
    var res = await call('POST', vehiclePath(state.vin, 'claim'),
      { statement: s.statement, signature: s.signature, publicKey: toBase64(rec.spki), claimSignature: toBase64(claimSig) });
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
    // What the owner revokes is what they signed: the grant's own
    // statement, checked against its ID, never the gateway's listing.
    var r = await grantTerms(g);
    if (!r.terms) throw new Error('Not revoking: ' + r.problem + '. Nothing was signed or sent.');
    var t = r.terms;
    var s = await signed('revoke', { grant: g.id }, state.key, 'Ends the grant ' + g.id.slice(0, 12) + ' you signed: ' + t.grantee +
      ' may read ' + t.scopes.split(',').join(', ') + ' for ' + t.purpose + ' until ' + t.notAfter + '. Its shared copies are purged.');
    var res = await call('POST', vehiclePath(state.vin, 'revocations'), { statement: s.statement, signature: s.signature });
    await refresh();
    return outcome(res, 'Revoked the grant to ' + t.grantee + '.');
  }

  async function sell() {
    var odometer = el('sale-odometer').value.trim();
    if (!/^(0|[1-9][0-9]{0,7})$/.test(odometer) || Number(odometer) > 10000000) throw new Error('Odometer: whole kilometres, 0 to 10,000,000.');
    var useType = el('sale-use').value;
    if (!TOKEN_SHAPE.test(useType)) throw new Error('Use after the sale: pick one.');
    var body = {};
    var buyer, claimKey = null;
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
      claimKey = await newClaimKey();
      buyer = 'claim:' + claimKey.fingerprint;
      body.claimPublicKey = toBase64(claimKey.spki);
    }
    // The sale date is now (the ledger takes a date up to a day old and
    // never a later one): the statement signs it, as it signs the use.
    var s = await signed('release-sale', function (ch) {
      return { buyer: buyer, odometerKm: odometer, saleDate: ch.now, useType: useType };
    }, state.key, function (p) {
      return (claimKey ? 'Releases the car to whoever holds the claim code shown when you sign. ' : 'Releases the car to the buyer\'s key. ') +
        'Sold on ' + p.saleDate + ' at ' + km(odometer) + ', for ' + useType + ' use.';
    });
    body.statement = s.statement;
    body.signature = s.signature;
    if (claimKey) {
      // The code is kept and shown before the sale is sent: if the answer
      // is lost after the ledger recorded the sale, the buyer still gets it.
      var rec = { id: state.vin + '/' + claimKey.fingerprint, vin: state.vin, fingerprint: claimKey.fingerprint, code: claimKey.code,
        forOwnerNo: state.view.current.ownerNo + 1, statementId: s.id, createdAt: new Date().toISOString() };
      await saveCode(rec);
      showCode(rec, 'Sending the sale... This browser keeps the code until the buyer has claimed the car.');
    }
    var res;
    try {
      res = await call('POST', vehiclePath(state.vin, 'sale'), body);
    } catch (e) {
      if (claimKey) {
        el('sale-code-note').textContent = 'The sale may not have reached the ledger. This browser keeps the code: reload the car to see ' +
          'whether the sale went through; if it did, give the buyer this code.';
        throw new Error(e.message.replace(/[.\s]*$/, '.') + ' The claim code stays on the screen and in this browser.');
      }
      throw e;
    }
    await refresh();
    return outcome(res, claimKey ? 'Sold: give the buyer the claim code above.' : 'Sold to the key ' + groups(buyer.slice(4)) + '.');
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
      var code = el('claim-code').value;
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
    document.body.dataset.ready = 'true';
  }

  // The pure functions, for the browser tests (they check them against
  // the Go implementation's test vector) and for anyone auditing the page.
  window.AutoLedgerPortal = Object.freeze({
    encodeStatement: encodeStatement, decodeStatement: decodeStatement, fingerprint: fingerprint,
    parseClaimCode: parseClaimCode, encodeClaimCode: encodeClaimCode, pkcs8FromScalar: pkcs8FromScalar,
    claimKeyFromCode: claimKeyFromCode, newClaimKey: newClaimKey, groups: groups,
    formatTime: formatTime, fromBase64: fromBase64, toBase64: toBase64, hexToBytes: hexToBytes, toHex: toHex
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', wire); else wire();
})();
