// Runs before every other module of the bundle (it is main.jsx's first import).
//
// The page's Content-Security-Policy allows <style> elements only from our origin or with
// the per-request nonce (style-src-elem 'self' 'nonce-…'). Monaco, Radix and react-aria
// create <style> elements at run time to hold editor themes, decorations and scroll locks;
// Monaco 0.52 has no nonce option, so every <style> element created by script gets the
// page's nonce here. Markup injected into the page by anything else still cannot add styles.
const meta = document.querySelector('meta[property="csp-nonce"]');
// Browsers hide the nonce attribute from getAttribute() once CSP is enforced; the nonce
// property keeps it.
export const nonce = (meta && (meta.nonce || meta.getAttribute('nonce'))) || '';

if (nonce) {
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function createElementWithNonce(tagName, options) {
    const element = createElement.call(this, tagName, options);
    if (typeof tagName === 'string' && tagName.toLowerCase() === 'style') {
      element.nonce = nonce;
    }
    return element;
  };
  // react-style-singleton (Radix dialogs) reads the nonce from get-nonce.
  globalThis.__webpack_nonce__ = nonce;
}
