// Accessibility for elements material's own JavaScript adds to a page at run time, which the
// theme's templates (docs/overrides/) cannot reach:
// - a table wider than the page scrolls inside material's `.md-typeset__scrollwrap`: the
//   wrapper becomes focusable, so that a keyboard can scroll it (WCAG 2.1.1);
// - a notebook's code cell (mkdocs-jupyter's `.highlight-ipynb > pre`) scrolls sideways when a
//   line is long: it becomes focusable for the same reason;
// - each code block's button bar (`nav.md-code__nav`) would be one more unnamed navigation
//   landmark per block: it is a plain group of buttons (role "none"), not a landmark.
// Checked by axe-core in tests/test_site_browser.py.
;(() => {
  const fix = root => {
    const scrolling = ".md-typeset__scrollwrap:not([tabindex]), .highlight-ipynb > pre:not([tabindex])"
    for (const wrap of root.querySelectorAll(scrolling)) {
      wrap.setAttribute("tabindex", "0")
    }
    for (const nav of root.querySelectorAll("nav.md-code__nav:not([role])")) {
      nav.setAttribute("role", "none")
    }
  }
  // One pass over the document per batch of changes (an observer gets them batched, at the
  // end of the task), not one per added node: material adds a node per code block and table as
  // it mounts, and querying each one's parent again and again was a long task (Lighthouse:
  // 400 ms on a phone, on the home page).
  new MutationObserver(() => fix(document)).observe(document.body, {childList: true, subtree: true})
  fix(document)
})()
