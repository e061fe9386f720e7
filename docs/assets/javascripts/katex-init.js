// Render the math on each page with the KaTeX copy the site serves itself (no CDN).
//
// pymdownx.arithmatex (generic mode) leaves inline math as <span class="arithmatex">\(...\)</span>
// and display math as <div class="arithmatex">\[...\]</div>. Material's `document$` emits on the
// first load and after every instant navigation, so each new page gets rendered.
// A formula KaTeX cannot parse stays as source and is reported on the console, where the browser
// test (tests/test_site_browser.py) sees it.
document$.subscribe(() => {
  for (const element of document.querySelectorAll(".arithmatex")) {
    if (element.querySelector(".katex")) continue
    const source = element.textContent.trim()
    const tex = /^\\[(\[][\s\S]*\\[)\]]$/.test(source) ? source.slice(2, -2) : source
    try {
      katex.render(tex, element, {
        displayMode: element.tagName === "DIV",
        throwOnError: true,
      })
    } catch (error) {
      console.error(`KaTeX could not render ${JSON.stringify(tex)}: ${error.message}`)
    }
  }
})
