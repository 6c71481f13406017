/* ipakg query editor: saved examples, parameter forms, Ctrl+Enter, results table, timeline, shareable URLs.
 * Plain JavaScript, no dependencies. Every value from the server is put into the page as text
 * (textContent / setAttribute), never as HTML. */
(function () {
  'use strict';

  var ID_NS = 'https://w3id.org/ipakg/id/';
  var IPA_NS = 'https://w3id.org/ipakg/ontology#';
  var WD_NS = 'http://www.wikidata.org/entity/';
  var PREFIXES = [
    ['id', ID_NS], ['ipa', IPA_NS], ['wd', WD_NS],
    ['rdf', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'], ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
    ['owl', 'http://www.w3.org/2002/07/owl#'], ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
    ['skos', 'http://www.w3.org/2004/02/skos/core#'], ['prov', 'http://www.w3.org/ns/prov#'],
    ['oa', 'http://www.w3.org/ns/oa#'], ['schema', 'https://schema.org/'], ['dct', 'http://purl.org/dc/terms/']
  ];
  // datatypes the value already shows (numbers, booleans): no badge
  var QUIET_TYPES = ['string', 'integer', 'decimal', 'double', 'boolean'];
  var ACCEPT = 'application/sparql-results+json, text/turtle;q=0.9';

  var saved = JSON.parse(document.getElementById('saved-queries').textContent);
  var byName = {};
  saved.forEach(function (q) { byName[q.name] = q; });

  var $ = function (id) { return document.getElementById(id); };
  var textarea = $('query'), results = $('results'), status = $('status'), form = $('param-form');
  var current = null, lastJson = null, view = 'table';

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'cls') node.className = attrs[k];
      else node.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return node;
  }

  function curie(iri) {
    for (var i = 0; i < PREFIXES.length; i++) {
      if (iri.indexOf(PREFIXES[i][1]) === 0 && iri.length > PREFIXES[i][1].length) return PREFIXES[i][0] + ':' + iri.slice(PREFIXES[i][1].length);
    }
    return iri;
  }

  function href(iri) {
    if (iri.indexOf(ID_NS) === 0) return '/id/' + iri.slice(ID_NS.length);
    if (iri.indexOf(IPA_NS) === 0) return '/ontology#' + iri.slice(IPA_NS.length);
    if (iri.indexOf(WD_NS) === 0) return 'https://www.wikidata.org/wiki/' + iri.slice(WD_NS.length);
    if (/^https?:\/\//.test(iri)) return iri;
    return null;
  }

  function termNode(t) {
    if (!t) return document.createTextNode('');
    if (t.type === 'uri') {
      var h = href(t.value);
      return h ? el('a', { href: h, title: t.value, cls: 'iri', text: curie(t.value) }) : el('span', { cls: 'iri', text: t.value });
    }
    if (t.type === 'bnode') return el('span', { cls: 'bnode', text: '_:' + t.value });
    var numeric = /#(integer|decimal|double|float|date|gYear|gYearMonth)$/.test(t.datatype || '');
    var span = el('span', { cls: numeric ? 'lit num' : 'lit', text: t.value });
    if (t['xml:lang']) return el('span', {}, span, ' ', el('span', { cls: 'lang', text: t['xml:lang'] }));
    if (t.datatype && QUIET_TYPES.indexOf(t.datatype.replace('http://www.w3.org/2001/XMLSchema#', '')) < 0) {
      return el('span', {}, span, ' ', el('span', { cls: 'dt', text: curie(t.datatype) }));
    }
    return span;
  }

  // ---- syntax colouring: a <pre> under the transparent textarea, redrawn on input -------------------
  var highlight = $('highlight');
  var TOKENS = new RegExp([
    '(#\\+[^\\n]*)',                                                  // 1 the #+ YAML header
    '(#[^\\n]*)',                                                       // 2 comment
    '("""[\\s\\S]*?"""|\'\'\'[\\s\\S]*?\'\'\'|"(?:[^"\\\\\\n]|\\\\.)*"|\'(?:[^\'\\\\\\n]|\\\\.)*\')',  // 3 string
    '(<[^<>"{}|^`\\\\\\s]*>)',                                        // 4 IRI
    '([?$][A-Za-z0-9_\\u00B7\\u00C0-\\uFFFF]+)',                    // 5 variable
    '(\\b(?:SELECT|DISTINCT|REDUCED|WHERE|FILTER|OPTIONAL|UNION|MINUS|GRAPH|SERVICE|SILENT|BIND|AS|VALUES|' +
      'ORDER|BY|ASC|DESC|GROUP|HAVING|LIMIT|OFFSET|PREFIX|BASE|CONSTRUCT|DESCRIBE|ASK|FROM|NAMED|NOT|EXISTS|IN|' +
      'COUNT|SUM|MIN|MAX|AVG|SAMPLE|GROUP_CONCAT|SEPARATOR|IF|COALESCE|BOUND|STR|LANG|LANGMATCHES|DATATYPE|IRI|' +
      'CONTAINS|STRSTARTS|STRENDS|STRAFTER|STRBEFORE|LCASE|UCASE|REGEX|SUBSTR|STRLEN|CONCAT|isIRI|isLiteral|' +
      'true|false|a)\\b)',                                                // 6 keyword
    '(@[A-Za-z]+(?:-[A-Za-z0-9]+)*)',                                     // 7 language tag
    '([A-Za-z][\\w.-]*:[\\w./-]*|:[\\w./-]+)',                       // 8 prefixed name
    '(\\b\\d+(?:\\.\\d+)?\\b)'                                    // 9 number
  ].join('|'), 'gi');
  var CLASSES = [null, 'tk-meta', 'tk-comment', 'tk-string', 'tk-iri', 'tk-var', 'tk-kw', 'tk-lang', 'tk-pname', 'tk-num'];

  function paint() {
    var text = textarea.value, out = document.createDocumentFragment(), last = 0, m;
    TOKENS.lastIndex = 0;
    while ((m = TOKENS.exec(text)) !== null) {
      if (m[0] === '') { TOKENS.lastIndex++; continue; }
      if (m.index > last) out.appendChild(document.createTextNode(text.slice(last, m.index)));
      for (var g = 1; g < CLASSES.length; g++) {
        if (m[g] !== undefined) { out.appendChild(el('span', { cls: CLASSES[g], text: m[0] })); break; }
      }
      last = TOKENS.lastIndex;
    }
    out.appendChild(document.createTextNode(text.slice(last) + '\n'));
    highlight.textContent = '';
    highlight.appendChild(out);
    syncScroll();
  }
  function syncScroll() { highlight.scrollTop = textarea.scrollTop; highlight.scrollLeft = textarea.scrollLeft; }

  // ---- choosing an example ------------------------------------------------------------------------
  function select(name, values) {
    var q = byName[name];
    if (!q) return false;
    current = q;
    textarea.value = q.query;
    $('about').hidden = false;
    $('about-title').textContent = '';
    $('about-title').appendChild(el('span', { cls: 'en', lang: 'en', text: q.title.en }));
    $('about-title').appendChild(el('span', { cls: 'zh', lang: 'zh-Hant', text: q.title.zh }));
    $('about-en').textContent = q.description.en;
    $('about-zh').textContent = q.description.zh;
    buildForm(q, values || {});
    document.querySelectorAll('#example-list .example').forEach(function (b) {
      b.classList.toggle('on', b.getAttribute('data-name') === name);
    });
    refreshEdited();
    return true;
  }

  function buildForm(q, values) {
    form.textContent = '';
    form.hidden = !q.params.length;
    q.params.forEach(function (p) {
      var label = (p.label && p.label.en) || p.name;
      var input = el('input', { name: p.name, placeholder: p.type, 'data-type': p.type });
      input.value = values[p.name] != null ? values[p.name] : (p.default != null ? p.default : '');
      if (p.type === 'date') input.setAttribute('pattern', '\\d{4}-\\d{2}-\\d{2}');
      if (p.type === 'iri') { input.setAttribute('list', 'entity-names'); input.addEventListener('focus', loadEntities); }
      if (p.type === 'integer') input.setAttribute('inputmode', 'numeric');
      var caption = el('span', { cls: 'caption' }, label, p.label && p.label.zh ? el('span', { cls: 'zh', lang: 'zh-Hant', text: p.label.zh }) : null);
      form.appendChild(el('label', {}, caption, input, el('small', { text: p.type + (p.required ? ' · required' : '') })));
    });
  }

  // entity names for IRI parameters: fetched once, on first use, into a <datalist>
  var entitiesLoaded = false;
  function loadEntities() {
    if (entitiesLoaded) return;
    entitiesLoaded = true;
    var q = 'PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n' +
      'SELECT ?e (MIN(?en) AS ?label_en) (MIN(?zh) AS ?label_zh) WHERE { ?e skos:prefLabel ?any .\n' +
      '  FILTER(STRSTARTS(STR(?e), "' + ID_NS + 'entity/"))\n' +
      '  OPTIONAL { ?e skos:prefLabel ?en FILTER(LANG(?en) = "en") }\n' +
      '  OPTIONAL { ?e skos:prefLabel ?zh FILTER(LANG(?zh) = "zh-hant") } } GROUP BY ?e ORDER BY ?label_en';
    fetch('/sparql', {
      method: 'POST',
      headers: { Accept: 'application/sparql-results+json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: q }).toString()
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (json) {
      if (!json) return;
      var list = $('entity-names');
      json.results.bindings.forEach(function (b) {
        var label = [value(b, 'label_en'), value(b, 'label_zh')].filter(Boolean).join(' · ');
        list.appendChild(el('option', { value: curie(b.e.value), label: label }));
      });
    }).catch(function () { entitiesLoaded = false; });
  }

  function paramValues() {
    var out = {};
    form.querySelectorAll('input').forEach(function (i) { if (i.value !== '') out[i.name] = i.value; });
    return out;
  }

  function edited() { return !current || textarea.value !== current.query; }

  function refreshEdited() {
    paint();
    var e = current && edited();
    $('edited-note').hidden = !e;
    form.classList.toggle('disabled', !!e);
    form.querySelectorAll('input').forEach(function (i) { i.disabled = !!e; });
    var graph = isGraphQuery();
    document.querySelectorAll('#downloads a').forEach(function (a) {
      var f = a.getAttribute('data-format');
      a.hidden = graph ? f !== 'ttl' : f === 'ttl';
    });
  }

  function isGraphQuery() {
    if (current && !edited()) return current.form === 'CONSTRUCT';
    var body = textarea.value.replace(/#[^\n]*/g, ' ').replace(/(PREFIX|BASE)\s+[^\s]*\s*<[^>]*>/gi, ' ');
    return /^\s*(CONSTRUCT|DESCRIBE)\b/i.test(body);
  }

  // ---- URLs ---------------------------------------------------------------------------------------
  function state() {
    var s = new URLSearchParams();
    if (current && !edited()) {
      s.set('saved', current.name);
      var v = paramValues();
      Object.keys(v).forEach(function (k) { s.set('p.' + k, v[k]); });
    } else {
      s.set('query', textarea.value);
    }
    return s.toString();
  }

  function resultURL(format) {
    var s = new URLSearchParams();
    if (current && !edited()) {
      var v = paramValues();
      Object.keys(v).forEach(function (k) { s.set(k, v[k]); });
      if (format) s.set('format', format);
      return '/queries/' + encodeURIComponent(current.name) + (s.toString() ? '?' + s : '');
    }
    s.set('query', textarea.value);
    if (format) s.set('format', format);
    return '/sparql?' + s;
  }

  function restore() {
    var hash = location.hash.replace(/^#/, '');
    if (hash) {
      var s = new URLSearchParams(hash);
      if (s.get('saved')) {
        var values = {};
        s.forEach(function (v, k) { if (k.indexOf('p.') === 0) values[k.slice(2)] = v; else if (k !== 'saved') values[k] = v; });
        if (select(s.get('saved'), values)) return true;
      }
      if (s.get('query') != null) { textarea.value = s.get('query'); current = null; refreshEdited(); return true; }
    }
    if (textarea.value.trim()) { current = null; refreshEdited(); return true; }  // ?query= from the server
    return false;
  }

  // ---- running ------------------------------------------------------------------------------------
  function run() {
    var started = performance.now();
    status.textContent = 'Running… 執行中…';
    status.className = 'status busy';
    history.replaceState(null, '', '#' + state());
    var req;
    if (current && !edited()) {
      req = fetch(resultURL(null), { headers: { Accept: ACCEPT } });
    } else {
      req = fetch('/sparql', {
        method: 'POST',
        headers: { Accept: ACCEPT, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: textarea.value }).toString()
      });
    }
    return req.then(function (resp) {
      var type = resp.headers.get('Content-Type') || '';
      return (type.indexOf('json') >= 0 ? resp.json() : resp.text()).then(function (body) {
        var ms = Math.round(performance.now() - started);
        if (!resp.ok) return showError(body, resp.status);
        if (typeof body === 'string') return showText(body, ms);
        showJson(body, ms);
      });
    }).catch(function (e) { showError({ error: { message: String(e) } }, 0); });
  }

  function showError(body, code) {
    results.textContent = '';
    var err = (body && body.error) || { message: typeof body === 'string' ? body : 'error' };
    var box = el('div', { cls: 'error', role: 'alert' }, el('strong', { text: 'Error ' + (code || '') + ' ' }), err.message || '');
    if (err.detail && err.detail.line) box.appendChild(el('div', { cls: 'muted', text: 'line ' + err.detail.line + ', column ' + err.detail.column }));
    results.appendChild(box);
    status.textContent = 'Failed 失敗';
    status.className = 'status bad';
    $('view-switch').hidden = true;
  }

  function showText(text, ms) {
    results.textContent = '';
    results.appendChild(el('pre', { cls: 'rdf', text: text }));
    status.textContent = 'Done in ' + ms + ' ms';
    status.className = 'status ok';
    $('view-switch').hidden = true;
  }

  function showJson(json, ms) {
    lastJson = json;
    if (typeof json.boolean === 'boolean') {
      results.textContent = '';
      results.appendChild(el('p', { cls: 'ask', text: 'ASK → ' + json.boolean }));
      status.textContent = 'Done in ' + ms + ' ms';
      status.className = 'status ok';
      $('view-switch').hidden = true;
      return;
    }
    var n = json.results.bindings.length;
    status.textContent = n + ' row' + (n === 1 ? '' : 's') + ' · ' + n + ' 列 · ' + ms + ' ms' + (json.truncated ? ' · truncated at the row cap' : '');
    status.className = 'status ok';
    var canTimeline = json.head.vars.indexOf('date') >= 0;
    $('view-switch').hidden = !canTimeline;
    if (!canTimeline) view = 'table';
    else if (current && !edited() && current.view === 'timeline' && view !== 'table-forced') view = 'timeline';
    render();
  }

  function render() {
    results.textContent = '';
    if (!lastJson || !lastJson.results) return;
    document.querySelectorAll('#view-switch button').forEach(function (b) {
      b.classList.toggle('on', b.getAttribute('data-view') === (view === 'timeline' ? 'timeline' : 'table'));
    });
    results.appendChild(view === 'timeline' ? timeline(lastJson) : table(lastJson));
  }

  function table(json) {
    var vars = json.head.vars;
    var thead = el('thead', {}, el('tr', {}));
    vars.forEach(function (v) { thead.firstChild.appendChild(el('th', { text: v })); });
    var tbody = el('tbody');
    json.results.bindings.forEach(function (b) {
      var tr = el('tr');
      vars.forEach(function (v) { tr.appendChild(el('td', {}, termNode(b[v]))); });
      tbody.appendChild(tr);
    });
    return el('div', { cls: 'table-wrap' }, el('table', { cls: 'results' }, thead, tbody));
  }

  function value(b, k) { return b[k] ? b[k].value : null; }

  function named(b, iriKey, en, zh) {
    var iri = value(b, iriKey);
    if (!iri) return null;
    var a = el('a', { href: href(iri) || '#', title: iri });
    a.appendChild(document.createTextNode(value(b, en) || curie(iri)));
    if (value(b, zh)) a.appendChild(el('span', { cls: 'zh', lang: 'zh-Hant', text: ' ' + value(b, zh) }));
    return a;
  }

  function timeline(json) {
    var list = el('ol', { cls: 'timeline' });
    var day = null, ul = null, events = {};
    json.results.bindings.forEach(function (b) {
      var action = value(b, 'action') || value(b, 'fact');
      var key = action + ' ' + value(b, 'date_role');
      var target = named(b, 'target', 'target_en', 'target_zh');
      if (action && events[key]) {  // one action with several targets is one event
        if (target && events[key].seen.indexOf(value(b, 'target')) < 0) {
          events[key].seen.push(value(b, 'target'));
          events[key].who.insertBefore(document.createTextNode(', '), events[key].tail);
          events[key].who.insertBefore(target, events[key].tail);
        }
        return;
      }
      var d = value(b, 'date') || '—';
      if (d !== day) {
        day = d;
        ul = el('ul');
        list.appendChild(el('li', { cls: 'day' }, el('time', { datetime: d, text: d }), ul));
      }
      var typeIri = value(b, 'action_type') || value(b, 'fact_type');
      var what = el('p', { cls: 'what' });
      what.appendChild(el('a', { cls: 'type', href: action ? href(action) : '#', text: value(b, 'type_en') || (typeIri ? curie(typeIri) : 'action') }));
      if (value(b, 'type_zh')) what.appendChild(el('span', { cls: 'zh', lang: 'zh-Hant', text: ' ' + value(b, 'type_zh') }));
      if (value(b, 'date_role')) what.appendChild(el('span', { cls: 'date', text: value(b, 'date_role') === 'effective' ? 'takes effect' : 'announced' }));
      if (value(b, 'modality')) what.appendChild(el('span', { cls: 'modality m-' + value(b, 'modality'), text: value(b, 'modality') }));
      var who = el('p', { cls: 'who' }, named(b, 'actor', 'actor_en', 'actor_zh'));
      var tail = el('span', { text: value(b, 'sub_actions') ? ' (' + value(b, 'sub_actions') + ' bodies)' : '' });
      if (target) { who.appendChild(document.createTextNode(' → ')); who.appendChild(target); }
      who.appendChild(tail);
      events[key] = { who: who, tail: tail, seen: [value(b, 'target')] };
      var li = el('li', { cls: 'event' }, what, who);
      if (value(b, 'exact')) li.appendChild(el('blockquote', { cls: 'evidence short' }, el('mark', { cls: 'span', text: value(b, 'exact') })));
      var ev = value(b, 'evidence');
      if (ev) li.appendChild(el('p', { cls: 'evidence-links' }, el('a', { href: href(ev), text: 'evidence 證據' })));
      ul.appendChild(li);
    });
    return list;
  }

  // ---- wiring -------------------------------------------------------------------------------------
  document.querySelectorAll('#example-list .example').forEach(function (b) {
    b.addEventListener('click', function () {
      select(b.getAttribute('data-name'));
      view = 'table';
      history.replaceState(null, '', '#' + state());
      run();
    });
  });
  $('filter').addEventListener('input', function () {
    var words = this.value.toLowerCase().split(/\s+/).filter(Boolean);
    document.querySelectorAll('#example-list li').forEach(function (li) {
      var q = byName[li.firstElementChild.getAttribute('data-name')];
      var hay = [q.name, q.title.en, q.title.zh, q.description.en, q.description.zh, q.tags.join(' ')].join(' ').toLowerCase();
      li.hidden = !words.every(function (w) { return hay.indexOf(w) >= 0; });
    });
  });
  textarea.addEventListener('input', refreshEdited);
  textarea.addEventListener('scroll', syncScroll);
  textarea.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') { e.preventDefault(); run(); }
    else if (e.key === 'Tab' && !e.shiftKey) {
      e.preventDefault();
      var s = this.selectionStart;
      this.setRangeText('  ', s, this.selectionEnd, 'end');
      refreshEdited();
    }
  });
  form.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' || ((e.ctrlKey || e.metaKey) && e.key === 'Enter')) { e.preventDefault(); run(); }
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); run(); });
  $('run').addEventListener('click', run);
  $('revert').addEventListener('click', function () { if (current) { textarea.value = current.query; refreshEdited(); } });
  $('share').addEventListener('click', function () {
    var url = location.origin + '/#' + state();
    history.replaceState(null, '', '#' + state());
    var done = function () { status.textContent = 'Link copied 已複製連結'; status.className = 'status ok'; };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(url).then(done, function () { window.prompt('Copy this link', url); });
    else window.prompt('Copy this link', url);
  });
  document.querySelectorAll('#downloads a').forEach(function (a) {
    a.addEventListener('click', function () {
      var format = a.getAttribute('data-format');
      a.setAttribute('href', resultURL(format));
      a.setAttribute('download', (current && !edited() ? current.name : 'query') + '.' + (format === 'ttl' ? 'ttl' : format));
    });
  });
  document.querySelectorAll('#view-switch button').forEach(function (b) {
    b.addEventListener('click', function () {
      view = b.getAttribute('data-view') === 'timeline' ? 'timeline' : 'table-forced';
      render();
    });
  });
  window.addEventListener('hashchange', function () { if (restore()) run(); });

  if (!restore() && saved.length) select(saved[0].name);
  refreshEdited();
  if (location.hash || textarea.value.trim() && !current) run();
})();
