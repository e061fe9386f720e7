// Blocks far down a page arrive marked `data-far="skip"` (docs/hooks_site.py), which extra.css
// gives `content-visibility: auto`: while the page loads and material's bundle starts, the
// browser skips their style and layout. Once the page has loaded, this script shows them, a few
// at a time in idle slices well under a long task's 50 ms, so that the finished page is an
// ordinary one: accessibility checkers, find-in-page, printing and the table of contents'
// offsets see every block laid out. (Showing them all in one pass measured no better in
// Lighthouse: one long task instead of several short ones.) Material's instant navigation
// brings in new articles: each is shown the same way.
;(() => {
  const BUDGET = 8 // ms of work per slice
  const later = window.requestIdleCallback
    ? step => requestIdleCallback(step, {timeout: 1000})
    : step => setTimeout(step, 50)
  let pending = []
  const slice = () => {
    const end = performance.now() + BUDGET
    while (pending.length && performance.now() < end) {
      const block = pending.shift()
      block.dataset.far = "shown"
      void block.offsetHeight // its style and layout now, inside this slice
    }
    if (pending.length) later(slice)
  }
  const start = () => {
    const running = pending.length > 0 // a slice is already queued: it takes the new list
    pending = [...document.querySelectorAll("[data-far=skip]")]
    if (!running && pending.length) later(slice)
  }
  const onPage = () => {
    if (document.readyState === "complete") start()
    else addEventListener("load", start, {once: true})
  }
  if (window.document$) window.document$.subscribe(onPage) // material's page stream
  else onPage()
})()
