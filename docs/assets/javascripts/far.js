// Blocks far down a page arrive marked `data-far="skip"` (docs/hooks_site.py), which extra.css
// gives `content-visibility: auto`: while the page loads, the browser skips their style and
// layout. Once the page has loaded, this script shows them, a few at a time in idle slices well
// under a long task's 50 ms, so that the finished page is an ordinary one: accessibility
// checkers, find-in-page, printing and the table of contents' offsets see every block laid out.
// (Showing them all in one pass measured no better in Lighthouse: one long task instead of
// several short ones.)
//
// Meanwhile <main> keeps the height it had: a block shown changes the page's height, and each
// change lays out the footer and the sidebars again in the next frame; material's bundle, when
// the site ran it, also re-read the offsets of every heading in its table of contents and
// <main>'s bounds (on the API VGG page, a phone frame of mostly 35-55 ms after each of some 60
// slices, mostly 20-35 ms with the height held, 4x CPU throttling). Held, the height changes
// once, after the last slice; until then the footer, far below the first screens, may sit a
// little off the content's end.
;(() => {
  const BUDGET = 8 // ms of work per slice
  const later = window.requestIdleCallback
    ? step => requestIdleCallback(step, {timeout: 1000})
    : step => setTimeout(step, 50)
  let pending = []
  let held = null // <main>, while its height is held
  const hold = () => {
    held = document.querySelector(".md-main")
    if (held) held.style.height = `${held.offsetHeight}px`
  }
  const release = () => {
    if (held) held.style.height = ""
    held = null
  }
  const slice = () => {
    const end = performance.now() + BUDGET
    while (pending.length && performance.now() < end) {
      const block = pending.shift()
      block.dataset.far = "shown"
      void block.offsetHeight // its style and layout now, inside this slice
    }
    if (pending.length) later(slice)
    else release()
  }
  const start = () => {
    pending = [...document.querySelectorAll("[data-far=skip]")]
    if (!pending.length) return
    hold()
    later(slice)
  }
  if (document.readyState === "complete") start()
  else addEventListener("load", start, {once: true})
})()
