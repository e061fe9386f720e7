// Folded source listings (the API pages' "Source code in ..." blocks) arrive as inert
// <template class="cnnref-lazy"> elements (docs/hooks_site.py): a closed listing costs the
// browser no styling or layout. Opening one moves its listing into the page. One listener on
// the document (toggle does not bubble: capture) serves every listing.
;(() => {
  document.addEventListener("toggle", event => {
    const details = event.target
    if (!(details instanceof HTMLDetailsElement) || !details.open) return
    for (const template of details.querySelectorAll(":scope > template.cnnref-lazy")) {
      template.replaceWith(template.content)
    }
  }, true)
})()
