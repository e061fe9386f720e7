// The site's theme script, in place of mkdocs-material's bundle (docs/overrides/main.html leaves
// the bundle out). Material's templates and stylesheets stay; this does what the bundle did on
// these pages that markup and CSS cannot: search (material's own search worker, lunr, off the
// main thread), the copy buttons' clipboard, the table of contents following the reader, the
// back-to-top button, the header's shadow and title, content tabs' indicator and linking, open
// <details> around a linked target, keyboard shortcuts, and the `focus-visible` class material's
// stylesheet keys its focus outlines on. What the bundle did at build-time-knowable places is
// done in the build instead (docs/hooks_site.py: code blocks' copy buttons, tables' scrolling
// wrappers). The palette is switched by partials/palette.html.
//
// Why: on a phone (Lighthouse, 4x CPU), the bundle's evaluation and its start at DOMContentLoaded
// were two tasks of about 250 ms each on every page, whatever its size, most of the pages' total
// blocking time (tests/test_lighthouse.py). This script registers listeners and reads nothing
// from the layout while the page loads; everything else waits for the reader or an idle moment.
// Left out with the bundle: instant navigation (links load pages), the search's lazy rendering
// of results (they are few: one group per page of the site), the content tabs' scroll buttons
// and the selection of a tab by the address's hash, tooltips on cut-off navigation entries, the
// page's scroll lock under the search on a phone, and removing `?q=` from the address when the
// search closes.
;(() => {
  const config = JSON.parse(document.getElementById("__config").textContent)
  const base = new URL(config.base, location.href)
  const feature = name => config.features.includes(name)
  const t = (key, count) => config.translations[key].replace("#", count)
  const $ = (selector, root = document) => root.querySelector(selector)
  const $$ = (selector, root = document) => [...root.querySelectorAll(selector)]
  const idle = window.requestIdleCallback || (step => setTimeout(step, 1))
  const element = (tag, attributes = {}, ...children) => {
    const el = document.createElement(tag)
    for (const [key, value] of Object.entries(attributes)) el.setAttribute(key, value)
    el.append(...children)
    return el
  }
  // Keys the focused element takes for itself (material's rule): a radio button (a content tab,
  // the palette) takes only the arrows; other inputs, selects and text areas take every key.
  const typing = (el, key) => el instanceof HTMLInputElement
    ? el.type !== "radio" || /^Arrow/.test(key)
    : el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement || (el instanceof HTMLElement && el.isContentEditable)

  // --- focus outlines: material's CSS draws them on `.focus-visible` (a polyfill's class) ------
  addEventListener("focusin", event => {
    const el = event.target
    if (el instanceof Element && el.matches(":focus-visible")) el.classList.add("focus-visible")
  })
  addEventListener("focusout", event => {
    if (event.target instanceof Element) event.target.classList.remove("focus-visible")
  })

  // --- dialog: "Copied to clipboard" -------------------------------------------------------
  const dialog = $("[data-md-component=dialog]")
  dialog?.firstElementChild.setAttribute("role", "status") // before its first message: announced
  let dialogTimer = 0
  const say = text => {
    if (!dialog) return
    dialog.firstElementChild.textContent = text
    dialog.classList.add("md-dialog--active")
    clearTimeout(dialogTimer)
    dialogTimer = setTimeout(() => dialog.classList.remove("md-dialog--active"), 2000)
  }

  // --- copy buttons (their markup is built: docs/hooks_site.py) ------------------------------
  // What is copied is what the block shows, less what the stylesheet hides while copying
  // (`data-md-copying`: prompts and output lines), as material's bundle did.
  const copyText = target => {
    target.setAttribute("data-md-copying", "")
    const holder = target.closest("[data-copy]")
    const text = holder ? holder.getAttribute("data-copy") : target.innerText
    target.removeAttribute("data-md-copying")
    return text.trimEnd()
  }
  const copy = text => navigator.clipboard
    ? navigator.clipboard.writeText(text)
    : new Promise((resolve, reject) => { // a page served without HTTPS
      const area = Object.assign(document.createElement("textarea"), {value: text, readOnly: true})
      area.style.cssText = "position: fixed; top: 0; opacity: 0"
      document.body.append(area)
      area.focus({preventScroll: true})
      area.select()
      const done = document.execCommand("copy")
      area.remove()
      done ? resolve() : reject(new Error("copy refused"))
    })
  addEventListener("click", event => {
    const button = event.target instanceof Element && event.target.closest("[data-clipboard-target]")
    if (!button) return
    const target = $(button.getAttribute("data-clipboard-target"))
    if (!target) return
    copy(copyText(target)).then(() => {
      button.focus()
      say(t("clipboard.copied"))
    }, () => {})
  })

  // --- content tabs: the active label's underline; same-named tabs switch together ----------
  const indicate = set => {
    const input = $(":scope > input:checked", set)
    const label = input && $(`label[for="${input.id}"]`, set)
    if (!label) return
    set.style.setProperty("--md-indicator-x", `${label.offsetLeft}px`)
    set.style.setProperty("--md-indicator-width", `${label.offsetWidth}px`)
  }
  const tabSets = $$(".tabbed-set")
  if (tabSets.length) {
    addEventListener("load", () => idle(() => tabSets.forEach(indicate)), {once: true})
    addEventListener("resize", () => requestAnimationFrame(() => tabSets.forEach(indicate)), {passive: true})
  }
  addEventListener("change", event => {
    const input = event.target
    const set = input instanceof HTMLInputElement && input.parentElement
    if (!set || !set.classList.contains("tabbed-set")) return
    const name = $(`label[for="${input.id}"]`, set)?.textContent.trim()
    if (feature("content.tabs.link") && name) {
      try { // remembered across pages, as material does (partials/javascripts/content.html)
        __md_set("__tabs", [...new Set([name, ...(__md_get("__tabs") || [])])])
      } catch (error) {} // no storage
      for (const other of tabSets) {
        const label = $$(":scope > .tabbed-labels > label", other).find(x => x.textContent.trim() === name)
        const twin = label && document.getElementById(label.htmlFor)
        if (twin && !twin.checked) {
          twin.checked = true
          indicate(other)
        }
      }
    }
    indicate(set)
  })

  // --- a linked target inside closed <details> is shown; printing opens them all -------------
  const reveal = () => {
    const id = decodeURIComponent(location.hash.slice(1))
    const target = id && document.getElementById(id)
    if (!target) return
    let closed = false
    for (let d = target.closest("details"); d; d = d.parentElement.closest("details")) {
      closed ||= !d.open
      d.open = true
    }
    if (closed) target.scrollIntoView()
  }
  addEventListener("hashchange", reveal)
  addEventListener("load", reveal, {once: true})
  let closedForPrint = []
  addEventListener("beforeprint", () => {
    closedForPrint = $$("details:not([open])")
    closedForPrint.forEach(d => { d.open = true })
  })
  addEventListener("afterprint", () => closedForPrint.forEach(d => { d.open = false }))

  // --- navigation: Enter opens a section (a label); `aria-expanded` follows; moving within the
  // page closes the drawer (on a phone it holds the table of contents) ----------------------
  const drawer = document.getElementById("__drawer")
  addEventListener("hashchange", () => { if (drawer) drawer.checked = false })
  addEventListener("change", event => {
    const input = event.target
    if (!(input instanceof HTMLInputElement) || !input.classList.contains("md-nav__toggle")) return
    const nav = $(`[aria-labelledby="${input.id}_label"]`)
    if (nav) nav.setAttribute("aria-expanded", `${input.checked}`)
  })
  // The current page's entry in the navigation, scrolled into its sidebar's view (idle, after
  // load: a read of the layout).
  addEventListener("load", () => idle(() => {
    const wrap = $(".md-sidebar--primary .md-sidebar__scrollwrap")
    const current = wrap && $$(".md-nav__link--active", wrap).pop()
    if (!current || !wrap.clientHeight) return
    const y = current.getBoundingClientRect().top - wrap.getBoundingClientRect().top + wrap.scrollTop
    if (y > wrap.clientHeight - 40) wrap.scrollTop = y - wrap.clientHeight / 2
  }), {once: true})

  // --- scrolling: header, table of contents, back-to-top ------------------------------------
  const header = $("[data-md-component=header]")
  const title = $("[data-md-component=header-title]")
  const top = $("[data-md-component=top]")
  const toc = $$(".md-sidebar--secondary .md-nav__link[href^='#']")
  const headings = toc.map(a => document.getElementById(decodeURIComponent(a.hash.slice(1))))
  const tocWrap = $(".md-sidebar--secondary .md-sidebar__scrollwrap")
  const h1 = $(".md-content h1")
  let lastY = 0 // not scrollY: reading it lays out the page (set by the first onScroll)
  let queued = false
  let active = null
  const onScroll = () => {
    queued = false
    // At the top of the page (as it loads) nothing is read from the layout: the first entry is
    // the current one, and a read would lay out the page in this task.
    const y = scrollY
    const offset = y > 0 && header ? header.offsetHeight : 0
    header?.classList.toggle("md-header--shadow", y > 0)
    if (title && h1) title.classList.toggle("md-header__title--active", y > 0 && h1.getBoundingClientRect().bottom < offset)
    if (top) { // shown while the reader scrolls back up, away from the top
      const hidden = !(y < lastY && y > 400)
      if (top.hidden !== hidden) {
        top.hidden = hidden
        if (hidden) {
          top.setAttribute("tabindex", "-1")
          top.blur()
        } else {
          top.removeAttribute("tabindex")
        }
      }
    }
    lastY = y
    // The table of contents: the last heading above the header's bottom edge is the current one.
    let current = 0
    if (y > 0) {
      headings.forEach((heading, i) => { // a hidden heading (closed <details>) has no box
        if (heading && heading.getClientRects().length && heading.getBoundingClientRect().top - offset <= 8) current = i
      })
      // At the bottom of the page the last entry is the current one: a short last section
      // never reaches the top.
      if (innerHeight + y >= document.documentElement.scrollHeight - 2) current = toc.length - 1
    }
    const link = toc[current] || null
    if (link === active) return
    toc.forEach((a, i) => {
      a.classList.toggle("md-nav__link--passed", i < current)
      a.classList.toggle("md-nav__link--active", i === current)
    })
    active = link
    if (y > 0 && link && tocWrap && feature("toc.follow")) { // keep the current entry in view
      const {offsetTop} = link
      if (offsetTop < tocWrap.scrollTop || offsetTop > tocWrap.scrollTop + tocWrap.clientHeight - 40) {
        tocWrap.scrollTo({top: offsetTop - tocWrap.clientHeight / 2})
      }
    }
  }
  const queue = () => {
    if (!queued) requestAnimationFrame(onScroll)
    queued = true
  }
  addEventListener("scroll", queue, {passive: true})
  addEventListener("resize", queue, {passive: true})
  addEventListener("load", () => idle(onScroll), {once: true})
  top?.addEventListener("click", event => {
    event.preventDefault()
    scrollTo({top: 0})
  })

  // --- search --------------------------------------------------------------------------------
  const toggle = document.getElementById("__search")
  const query = $("[data-md-component=search-query]")
  const result = $("[data-md-component=search-result]")
  const suggest = $("[data-md-component=search-suggest]")
  if (toggle && query && result) {
    const meta = result.firstElementChild
    const list = result.lastElementChild
    const SETUP = 0, READY = 1, QUERY = 2, RESULT = 3 // material's worker's messages
    let worker = null
    let ready = false
    let asked = null
    const ask = () => {
      if (ready && query.value !== asked) worker.postMessage({type: QUERY, data: (asked = query.value)})
    }
    const start = () => { // on the reader's first move towards search: the index is 0.5 MB
      if (worker) return
      worker = new Worker(new URL(config.search, location.href))
      worker.addEventListener("message", ({data: message}) => {
        if (message.type === READY) {
          ready = true
          ask()
        } else if (message.type === RESULT) {
          show(message.data)
        }
      })
      fetch(new URL("search/search_index.json", base))
        .then(response => response.json())
        .then(({config: searchConfig, docs}) => worker.postMessage({
          type: SETUP, data: {config: searchConfig, docs, options: {suggest: feature("search.suggest")}},
        }))
    }
    const html = text => { // the worker's titles and teasers: HTML with <mark>s
      const span = document.createElement("span")
      span.innerHTML = text
      return [...span.childNodes]
    }
    const article = (doc, parent, teaser) => {
      const url = new URL(doc.location, base)
      if (feature("search.highlight")) {
        const found = Object.entries(doc.terms).filter(([, match]) => match).map(([term]) => term)
        url.searchParams.set("h", found.join(" "))
      }
      const body = element("article", {class: "md-search-result__article md-typeset", "data-md-score": doc.score.toFixed(2)})
      if (parent) body.append(element("div", {class: "md-search-result__icon md-icon"}), element("h1", {}, ...html(doc.title)))
      else body.append(element("h2", {}, ...html(doc.title)))
      if (teaser && doc.text) body.append(...html(doc.text))
      const missing = Object.keys(doc.terms).filter(term => !doc.terms[term])
      if (teaser && missing.length) {
        const terms = missing.flatMap((term, i) => [i ? " " : "", element("del", {}, term)])
        body.append(element("p", {class: "md-search-result__terms"}, `${t("search.result.term.missing")}: `, ...terms))
      }
      return element("a", {href: `${url}`, class: "md-search-result__link", tabindex: "-1"}, body)
    }
    const item = docs => { // material's grouping: the page, its best sections, the rest folded
      const threshold = docs[0].score
      const rest = [...docs]
      const at = Math.max(0, rest.findIndex(doc => !doc.location.includes("#")))
      const [page] = rest.splice(at, 1)
      let cut = rest.findIndex(doc => doc.score < threshold)
      if (cut === -1) cut = rest.length
      const children = [article(page, true, !at && cut === 0), ...rest.slice(0, cut).map(doc => article(doc, false, true))]
      const more = rest.slice(cut)
      if (more.length) {
        const label = more.length === 1 ? t("search.result.more.one") : t("search.result.more.other", more.length)
        children.push(element("details", {class: "md-search-result__more"},
          element("summary", {tabindex: "-1"}, element("div", {}, label)),
          ...more.map(doc => article(doc, false, true))))
      }
      return element("li", {class: "md-search-result__item"}, ...children)
    }
    const show = ({items, suggest: words}) => {
      meta.textContent = !items.length
        ? t(query.value ? "search.result.none" : "search.result.placeholder")
        : items.length === 1 ? t("search.result.one") : t("search.result.other", items.length)
      list.replaceChildren(...items.map(item))
      if (suggest) { // the last word, completed (the right arrow takes it)
        const parts = query.value.split(/([\s-]+)/)
        const last = words?.length ? words[words.length - 1] : ""
        suggest.textContent = last && parts[parts.length - 1] && last.startsWith(parts[parts.length - 1])
          ? [...parts.slice(0, -1), last].join("") : ""
      }
    }
    const open = active => {
      if (toggle.checked !== active) toggle.checked = active
      list.hidden = !active
      list.setAttribute("role", active ? "list" : "presentation")
      if (active) start()
      else query.blur()
    }
    list.hidden = true
    toggle.addEventListener("change", () => {
      open(toggle.checked)
      if (toggle.checked) query.focus()
    })
    // The header's search button, the overlay and the search's back arrow are labels of the
    // toggle: each switches it here, not by the label's own action, which would switch it back
    // after the focus below has opened the search (on a phone the button is all there is).
    for (const label of $$("label[for=__search]")) {
      label.addEventListener("click", event => {
        event.preventDefault()
        open(!toggle.checked)
        if (toggle.checked) query.focus()
      })
    }
    query.addEventListener("focus", () => open(true))
    addEventListener("hashchange", () => open(false))
    list.addEventListener("click", event => {
      if (event.target instanceof Element && event.target.closest("a")) open(false)
    })
    query.addEventListener("input", ask)
    query.form.addEventListener("reset", () => setTimeout(() => { ask(); query.focus() }))
    query.form.addEventListener("submit", event => event.preventDefault())
    $(".md-search__form")?.addEventListener("pointerenter", start, {once: true})

    // Deep links (`?q=`) open the search with the query.
    const asked0 = new URL(location.href).searchParams.get("q")
    if (asked0) {
      query.value = asked0
      open(true)
      query.focus()
    }

    // Keyboard: `/`, `s` or `f` searches; in the search, arrows move through the results,
    // Enter follows the first, Escape closes; `p` / `,` and `n` / `.` turn the page.
    addEventListener("keydown", event => {
      if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return
      if (toggle.checked) {
        const selector = ":not(details) > [href], summary, details[open] [href]" // material's
        const links = [query, ...$$(selector, list).filter(a => a.getClientRects().length)]
        const at = links.indexOf(document.activeElement)
        if (event.key === "Escape" || event.key === "Tab") { // Tab leaves the search, closed
          open(false)
          if (event.key === "Escape") event.preventDefault()
        } else if (event.key === "Enter" && document.activeElement === query) {
          event.preventDefault()
          links.find(x => x !== query && x.matches("[href]"))?.click()
        } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
          event.preventDefault()
          const step = event.key === "ArrowDown" ? 1 : -1
          links[(Math.max(0, at) + step + links.length) % links.length].focus()
        } else if (event.key === "ArrowRight" && suggest?.textContent && query.selectionStart === query.value.length) {
          query.value = suggest.textContent
          ask()
        } else if (at > 0 && !["Tab", "Shift", "Enter"].includes(event.key) && event.key.length === 1) {
          query.focus() // typing in the results types in the query
        }
        return
      }
      const focused = document.activeElement
      if (typing(focused, event.key)) return
      if (event.key === "Enter" && focused instanceof HTMLLabelElement) {
        event.preventDefault() // a navigation section's label: open or close it
        focused.click()
      } else if ("fs/".includes(event.key) && event.key.length === 1) {
        event.preventDefault()
        open(true)
        query.focus()
        query.select()
      } else if ("p,".includes(event.key) && event.key.length === 1) {
        $("link[rel=prev]")?.href && location.assign($("link[rel=prev]").href)
      } else if ("n.".includes(event.key) && event.key.length === 1) {
        $("link[rel=next]")?.href && location.assign($("link[rel=next]").href)
      }
    })
  }

  // --- a search result's terms, highlighted on the page it leads to (`?h=`) -----------------
  const highlight = new URL(location.href).searchParams.get("h")
  if (highlight && feature("search.highlight")) {
    addEventListener("load", () => idle(() => {
      const terms = highlight.split(/\s+/).filter(Boolean).map(x => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      const content = $("[data-md-component=content]") || $("article")
      if (!terms.length || !content) return
      const match = new RegExp(`\\b(${terms.join("|")})`, "gi")
      const walker = document.createTreeWalker(content, NodeFilter.SHOW_TEXT)
      const found = []
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        match.lastIndex = 0
        if (node.parentElement.offsetHeight && match.test(node.textContent)) found.push(node)
      }
      for (const node of found) {
        const pieces = node.textContent.split(match)
        node.replaceWith(...pieces.map((piece, i) => i % 2 ? element("mark", {"data-md-highlight": ""}, piece) : piece))
      }
    }), {once: true})
  }
})()
