/**
 * The in-page layout audit the layout pass runs on every page (as source text: the test runner's
 * transpiler must not rewrite it, it runs in the browser). It returns problems as sentences that
 * name the offending element:
 * - horizontal overflow (`scrollWidth > innerWidth`), with the outermost elements that stick out;
 * - a visible button or link cut off by an ancestor that hides its overflow;
 * - a visible button or link whose box overlaps visible text, a form control or another button
 *   that is neither its ancestor nor its descendant (boxes clipped by scrolling/clipping ancestors);
 * - visible text that looks like a message key (`cl.state.in_mediation`, `session_ended`).
 * Run it at the top and at the bottom of the page: fixed elements move over the content.
 */
export function layoutAuditScript(viewportWidth: number): string {
  return String.raw`((W) => {
  const problems = [];
  const describe = (el) => {
    if (!el || !el.tagName) return String(el);
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    const tid = el.getAttribute('data-testid');
    if (tid) s += '[data-testid=' + tid + ']';
    const cls = typeof el.className === 'string' ? el.className.trim().split(/\s+/).filter(Boolean).slice(0, 2) : [];
    if (cls.length) s += '.' + cls.join('.');
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ');
    if (text) s += ' "' + (text.length > 40 ? text.slice(0, 40) + '…' : text) + '"';
    return s;
  };
  const visible = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });

  // 1. Horizontal overflow. A phone browser widens its layout viewport to fit what overflows
  // (innerWidth grows with it), so the device's width is the measure.
  const sw = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  if (sw > W) {
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
      if (!visible(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= W + 0.5) continue;
      const parent = el.parentElement;
      const pr = parent ? parent.getBoundingClientRect() : null;
      if (pr && pr.right > W + 0.5) continue; // report the outermost element that sticks out
      out.push(describe(el) + ' (right edge ' + Math.round(r.right) + 'px)');
      if (out.length >= 4) break;
    }
    problems.push('horizontal overflow: scrollWidth ' + sw + 'px > viewport width ' + W + 'px; sticking out: ' + (out.join('; ') || 'unknown'));
  }

  // Rectangles clipped by every ancestor that clips (overflow other than visible); a text node's
  // rectangle by its own element too (an ellipsized span hides the rest of its text).
  const clipped = (el, rect, fromSelf) => {
    let r = { l: rect.left, t: rect.top, r: rect.right, b: rect.bottom };
    for (let a = fromSelf ? el : el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a);
      if (cs.overflowX === 'visible' && cs.overflowY === 'visible') continue;
      const ar = a.getBoundingClientRect();
      r = { l: Math.max(r.l, ar.left), t: Math.max(r.t, ar.top), r: Math.min(r.r, ar.right), b: Math.min(r.b, ar.bottom) };
      if (r.r - r.l <= 0 || r.b - r.t <= 0) return null;
    }
    return r;
  };

  // The nearest ancestor that hides part of the rectangle: overflow hidden/clip, or a sideways
  // scroller (a button one has to scroll sideways to find counts as cut off; scrolling down is fine).
  // Inside a vertical scroller the element can be scrolled into the scroller's viewport, so the
  // ancestors above it are checked against that viewport, not against where the element sits now.
  const hiddenBy = (el, rect) => {
    let r = { left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom };
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const cs = getComputedStyle(a);
      const hides = (v) => v === 'hidden' || v === 'clip';
      const scrollsY = cs.overflowY === 'auto' || cs.overflowY === 'scroll';
      const hidesX = hides(cs.overflowX) || cs.overflowX === 'auto' || cs.overflowX === 'scroll';
      if (!hidesX && !hides(cs.overflowY) && !scrollsY) continue;
      const ar = a.getBoundingClientRect();
      const lostX = hidesX ? Math.max(0, ar.left - r.left) + Math.max(0, r.right - ar.right) : 0;
      const lostY = hides(cs.overflowY) ? Math.max(0, ar.top - r.top) + Math.max(0, r.bottom - ar.bottom) : 0;
      if (lostX > 2 || lostY > 2) return { by: a, lost: Math.max(lostX, lostY) };
      if (scrollsY) {
        const h = Math.min(r.bottom - r.top, ar.height);
        r = { left: r.left, right: r.right, top: ar.top, bottom: ar.top + h };
      }
    }
    return null;
  };

  // 2. Buttons and links: not cut off, and not over text, form controls or other buttons.
  const buttonSel = 'button, a[href], [role=button], input[type=submit], input[type=button]';
  const buttons = [];
  for (const el of document.querySelectorAll(buttonSel)) {
    if (!visible(el)) continue;
    const full = el.getBoundingClientRect();
    const r = clipped(el, full);
    if (r && r.r - r.l >= 3 && r.b - r.t >= 3) buttons.push({ el, r });
    // Cut off by an ancestor that hides its overflow (a scroller is fine: it can be scrolled).
    const cut = hiddenBy(el, full);
    if (full.width >= 3 && full.height >= 3 && cut) {
      problems.push('cut off: ' + describe(el) + ' is clipped by ' + describe(cut.by) + ' (' + Math.round(cut.lost) + 'px hidden)');
    }
  }
  const items = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.nodeValue || !n.nodeValue.trim()) continue;
    const owner = n.parentElement;
    if (!owner || !visible(owner) || owner.closest('script, style, noscript, template')) continue;
    // What people type (a textarea's content) is data, not a label.
    if (!owner.closest('textarea')) texts.push({ owner, text: n.nodeValue.trim() });
    const range = document.createRange();
    range.selectNodeContents(n);
    for (const rect of range.getClientRects()) {
      const r = clipped(owner, rect, true);
      if (r && r.r - r.l >= 2 && r.b - r.t >= 2) items.push({ el: owner, r, what: 'text' });
    }
  }
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!visible(el)) continue;
    const r = clipped(el, el.getBoundingClientRect());
    if (r && r.r - r.l >= 3 && r.b - r.t >= 3) items.push({ el, r, what: 'control' });
  }
  for (const b of buttons) items.push({ el: b.el, r: b.r, what: 'button' });
  const seen = new Set();
  for (const b of buttons) {
    for (const it of items) {
      if (it.el === b.el || b.el.contains(it.el) || it.el.contains(b.el)) continue;
      const w = Math.min(b.r.r, it.r.r) - Math.max(b.r.l, it.r.l);
      const h = Math.min(b.r.b, it.r.b) - Math.max(b.r.t, it.r.t);
      if (w < 3 || h < 3) continue;
      const pair = [describe(b.el), describe(it.el)].sort().join(' | ');
      if (seen.has(pair)) continue;
      seen.add(pair);
      problems.push('overlap: ' + describe(b.el) + ' overlaps ' + it.what + ' ' + describe(it.el) + ' by ' + Math.round(w) + 'x' + Math.round(h) + 'px');
    }
  }

  // 3. Visible strings that look like message keys.
  const keyLike = /\b[a-z]{2,}(?:\.[a-zA-Z_]{2,})+\b|\b[a-z]+(?:_[a-z0-9]+)+\b/;
  const strings = texts.map((t) => ({ el: t.owner, text: t.text }));
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (visible(el)) strings.push({ el, text: el.getAttribute('placeholder') });
  }
  for (const s of strings) {
    const text = s.text.replace(/https?:\/\/\S+/g, ' ').replace(/\S+@\S+/g, ' ');
    const m = keyLike.exec(text);
    if (m) problems.push('message key shown: "' + m[0] + '" in ' + describe(s.el));
  }
  return problems;
})(${viewportWidth})`;
}
