/* The layer explorer (cnnref): every layer's output shape, parameters, multiply-adds and
   receptive field for any input size, in the browser. Each ".cnnref-explorer" block holds the
   layer graphs of its page's models as JSON (exported by docs/gen/explore.py from
   cnnref.analysis.layer_graph); the rules below are those of cnnref.analysis._walk.
   window.cnnrefExplorer.compute(model, height, width) gives the rows (the tests use it). */
(function () {
  "use strict";

  var graphs = {};

  function TooSmall(layer, reason) {
    this.layer = layer;
    this.reason = reason;
  }

  function convSide(i, k, s, p, d, ceil) {
    var span = i + 2 * p - d * (k - 1) - 1;
    var out = (ceil ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
    if (ceil && (out - 1) * s >= i + p) out -= 1;
    return Math.max(out, 0);
  }

  var NONE = { size: null, jump: null, start: null };

  function rfWindow(f, a) {
    if (!f.size) return f;
    var size = [], jump = [], start = [];
    for (var ax = 0; ax < 2; ax++) {
      var ke = a.d[ax] * (a.k[ax] - 1) + 1;
      size.push(f.size[ax] + (ke - 1) * f.jump[ax]);
      start.push(f.start[ax] + ((ke - 1) / 2 - a.p[ax]) * f.jump[ax]);
      jump.push(f.jump[ax] * a.s[ax]);
    }
    return { size: size, jump: jump, start: start };
  }

  function rfTransposed(f, a) {
    if (!f.size) return f;
    var size = [], jump = [], start = [];
    for (var ax = 0; ax < 2; ax++) {
      size.push(f.size[ax] + (Math.ceil(a.k[ax] / a.s[ax]) - 1) * f.jump[ax]);
      jump.push(f.jump[ax] / a.s[ax]);
      start.push(f.start[ax] + ((a.p[ax] - (a.k[ax] - 1) / 2) / a.s[ax]) * f.jump[ax]);
    }
    return { size: size, jump: jump, start: start };
  }

  function rfAdaptive(f, sides, out) {
    if (!f.size || (out[0] === 1 && out[1] === 1)) return NONE;
    var size = [], jump = [], start = [];
    for (var ax = 0; ax < 2; ax++) {
      var i = sides[ax], o = out[ax], widest = 0;
      for (var j = 0; j < o; j++) {
        widest = Math.max(widest, Math.ceil(((j + 1) * i) / o) - Math.floor((j * i) / o));
      }
      size.push(f.size[ax] + (widest - 1) * f.jump[ax]);
      jump.push((f.jump[ax] * i) / o);
      start.push(f.start[ax] + ((widest - 1) / 2) * f.jump[ax]);
    }
    return { size: size, jump: jump, start: start };
  }

  function rfResize(f, sides, out) {
    if (!f.size) return f;
    var size = [], jump = [];
    for (var ax = 0; ax < 2; ax++) {
      var i = sides[ax], o = out[ax];
      size.push(f.size[ax] + (i > 1 && o > 1 ? f.jump[ax] : 0));
      jump.push(o > 1 ? (f.jump[ax] * (i - 1)) / (o - 1) : f.jump[ax]);
    }
    return { size: size, jump: jump, start: f.start };
  }

  function rfMerge(fields) {
    var best = null;
    for (var i = 0; i < fields.length; i++) {
      if (!fields[i].size) return NONE;
      if (!best || fields[i].size[0] * fields[i].size[1] > best.size[0] * best.size[1]) {
        best = fields[i];
      }
    }
    return best;
  }

  function prod(a) {
    return a.reduce(function (x, y) {
      return x * y;
    }, 1);
  }

  function dims(s) {
    return s.join("×");
  }

  /* Follow the graph at input h×w: rows, or {error} naming the layer that refuses it. */
  function compute(model, h, w) {
    var g = graphs[model];
    if (!g) throw new Error("unknown model " + model);
    var shapes = [], fields = [], rows = [];
    try {
      g.layers.forEach(function (row) {
        var name = row[0], type = g.types[row[1]], op = row[2], inputs = row[3];
        var params = row[4], convMacs = row[5] || 0, a = row[6] || {};
        var ins = inputs.map(function (i) {
          return shapes[i];
        });
        var x = ins[0], f = fields[inputs[0]], shape, field;
        if (op === "input") {
          if (h < 1 || w < 1) throw new TooSmall("input", "the input must be at least 1×1");
          shape = [a.out, h, w];
          field = { size: [1, 1], jump: [1, 1], start: [0, 0] };
        } else if ((op === "conv" || op === "pool" || op === "convT" || op === "adaptive") && x.length !== 3) {
          throw new TooSmall(name, "expects a feature map, gets a vector of " + x[0]);
        } else if (op === "conv" || op === "pool") {
          var sides = [];
          for (var ax = 0; ax < 2; ax++) {
            var side = convSide(x[1 + ax], a.k[ax], a.s[ax], a.p[ax], a.d[ax], !!a.ceil);
            if (side < 1) {
              var ke = a.d[ax] * (a.k[ax] - 1) + 1;
              throw new TooSmall(
                name,
                "a " + dims(a.k) + " " + (op === "conv" ? "kernel" : "window") + " (padding " +
                  dims(a.p) + ") needs at least " + Math.max(ke - 2 * a.p[ax], 1) +
                  " pixels per side, gets " + x[1] + "×" + x[2]
              );
            }
            sides.push(side);
          }
          shape = [op === "conv" ? a.out : x[0], sides[0], sides[1]];
          field = rfWindow(f, a);
        } else if (op === "convT") {
          shape = [a.out];
          for (var t = 0; t < 2; t++) {
            shape.push((x[1 + t] - 1) * a.s[t] - 2 * a.p[t] + a.d[t] * (a.k[t] - 1) + a.op[t] + 1);
          }
          field = rfTransposed(f, a);
        } else if (op === "adaptive") {
          shape = [x[0], a.size[0], a.size[1]];
          field = rfAdaptive(f, x.slice(1), a.size);
        } else if (op === "flatten") {
          shape = [prod(x)];
          field = NONE;
        } else if (op === "linear") {
          var n = prod(x);
          if (n !== a["in"]) {
            throw new TooSmall(
              name,
              "expects " + grouped().format(a["in"]) + " input features, gets " +
                grouped().format(n) + (x.length === 3 ? " (a " + dims(x) + " map)" : "")
            );
          }
          shape = [a.out];
          field = NONE;
        } else if (op === "same") {
          shape = x;
          field = f;
        } else if (op === "scale") {
          // SENet's rescaling: the map times one weight per channel, computed from all of it
          if (ins.slice(1).some(function (s) { return s.join(",") !== [x[0], 1, 1].join(","); })) {
            throw new TooSmall(name, "its inputs do not match: " + ins.map(dims).join(", "));
          }
          shape = x;
          field = f; // the map's field; the weights' global pool is not a receptive field
        } else if (op === "merge" || op === "cat") {
          var key = ins.map(function (s) {
            return (op === "cat" ? s.slice(1) : s).join(",");
          });
          if (key.some(function (k) { return k !== key[0]; })) {
            throw new TooSmall(name, "its inputs do not match: " + ins.map(dims).join(", "));
          }
          var c = op === "cat" ? ins.reduce(function (s, y) { return s + y[0]; }, 0) : x[0];
          shape = [c, x[1], x[2]];
          field = rfMerge(inputs.map(function (i) { return fields[i]; }));
        } else if (op === "crop") {
          var ref = shapes[a.ref];
          if (x[1] < ref[1] || x[2] < ref[2]) {
            throw new TooSmall(
              name,
              "cannot crop " + x[1] + "×" + x[2] + " to the " + ref[1] + "×" + ref[2] +
                " of the map it is concatenated with"
            );
          }
          shape = [x[0], ref[1], ref[2]];
          var top = Math.floor((x[1] - ref[1]) / 2), left = Math.floor((x[2] - ref[2]) / 2);
          field = f.size
            ? { size: f.size, jump: f.jump, start: [f.start[0] + top * f.jump[0], f.start[1] + left * f.jump[1]] }
            : f;
        } else if (op === "resize") {
          var r = shapes[a.ref];
          shape = [x[0], r[1], r[2]];
          field = rfResize(f, x.slice(1), r.slice(1));
        } else {
          throw new Error(name + ": unknown op " + op);
        }
        shapes.push(shape);
        fields.push(field);
        var positions = convMacs && shape.length === 3 ? shape[1] * shape[2] : 1;
        rows.push({ name: name, type: type, shape: shape, params: params, macs: params * positions, field: field });
      });
    } catch (e) {
      if (e instanceof TooSmall) return { rows: rows, error: e };
      throw e;
    }
    return { rows: rows, error: null };
  }

  // One formatter for every cell: Number.prototype.toLocaleString builds a new one per call,
  // which made number formatting the explorer's largest cost on load. Built on first use: this
  // script runs on every page, and building it took 23 ms of each load on a page without an
  // explorer (the API VGG page; Chromium's CPU profile on this machine, median of 3 loads).
  var formatter = null;

  function grouped() {
    if (!formatter) formatter = new Intl.NumberFormat("en-US");
    return formatter;
  }

  function num(n) {
    return n ? grouped().format(n) : "–";
  }

  function fieldText(f) {
    if (!f.size) return "whole input";
    var r = f.size.map(function (v) {
      return Math.round(v * 100) / 100;
    });
    return r[0] === r[1] ? String(r[0]) : r[0] + "×" + r[1];
  }

  function cell(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  function render(root) {
    var model = root.querySelector("select[name=model]").value;
    var hInput = root.querySelector("input[name=height]");
    var wInput = root.querySelector("input[name=width]");
    var h = parseInt(hInput.value, 10), w = parseInt(wInput.value, 10);
    var status = root.querySelector(".cnnref-explorer-status");
    var body = root.querySelector("tbody");
    body.textContent = "";
    if (!(h >= 1 && w >= 1 && h <= 4096 && w <= 4096)) {
      status.textContent = "Enter a height and a width between 1 and 4096 pixels.";
      status.classList.add("cnnref-explorer-error");
      return;
    }
    var out = compute(model, h, w);
    var g = graphs[model];
    var fragment = document.createDocumentFragment();
    var params = 0, macs = 0;
    out.rows.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.appendChild(cell("td", r.name, "name"));
      tr.appendChild(cell("td", r.type));
      tr.appendChild(cell("td", dims(r.shape), "shape"));
      tr.appendChild(cell("td", num(r.params), "num"));
      tr.appendChild(cell("td", num(r.macs), "num"));
      tr.appendChild(cell("td", fieldText(r.field), "num"));
      fragment.appendChild(tr);
      params += r.params;
      macs += r.macs;
    });
    body.appendChild(fragment);
    if (out.error) {
      status.classList.add("cnnref-explorer-error");
      var smallest = g.min + "×" + g.min;
      status.textContent =
        "Too small for " + model + " at " + h + "×" + w + ": layer " + out.error.layer +
        " fails: " + out.error.reason + ". The smallest square input every layer accepts is " +
        smallest + ".";
    } else {
      status.classList.remove("cnnref-explorer-error");
      var last = out.rows[out.rows.length - 1];
      status.textContent =
        model + " at " + h + "×" + w + ": output " + dims(last.shape) + ", " + num(params) +
        " parameters, " + num(macs) + " multiply-adds.";
    }
  }

  function setup(root) {
    if (root.getAttribute("data-explorer-ready")) return;
    root.setAttribute("data-explorer-ready", "1");
    var data = JSON.parse(root.querySelector("template.cnnref-explorer-data").content.textContent);
    Object.keys(data).forEach(function (name) {
      graphs[name] = data[name];
    });
    var select = root.querySelector("select[name=model]");
    select.addEventListener("change", function () {
      var g = graphs[select.value];
      root.querySelector("input[name=height]").value = g.size[0];
      root.querySelector("input[name=width]").value = g.size[1];
      render(root);
    });
    root.querySelectorAll("input").forEach(function (input) {
      input.addEventListener("input", function () {
        render(root);
      });
    });
    render(root);
  }

  function run() {
    document.querySelectorAll(".cnnref-explorer").forEach(setup);
  }

  window.cnnrefExplorer = { compute: compute, graphs: graphs, run: run };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
