/* Document view: light up every piece of the evidence span named in the URL fragment (#ev-<key>),
 * and the matching note; hovering a note lights up its span. */
(function () {
  'use strict';
  function marks(key) {
    return Array.prototype.filter.call(document.querySelectorAll('mark.ev'), function (m) {
      return (m.getAttribute('data-ev') || '').split(' ').indexOf(key) >= 0;
    });
  }
  function focus(key, on) {
    marks(key).forEach(function (m) { m.classList.toggle('focus', on); });
    var note = document.getElementById('note-' + key);
    if (note) note.classList.toggle('focus', on);
    return note;
  }
  var current = null;
  function fromHash() {
    if (current) focus(current, false);
    var m = /^#ev-([0-9a-f]+)$/.exec(location.hash);
    current = m ? m[1] : null;
    if (current) {
      var note = focus(current, true);
      var aside = document.querySelector('.doc-notes');
      if (note && aside) aside.scrollTop = note.offsetTop - aside.offsetTop - 40;  // only the side list scrolls
    }
  }
  document.querySelectorAll('.doc-notes li[data-ev]').forEach(function (li) {
    var key = li.getAttribute('data-ev');
    li.addEventListener('mouseenter', function () { focus(key, true); });
    li.addEventListener('mouseleave', function () { if (key !== current) focus(key, false); });
  });
  document.querySelectorAll('mark.ev').forEach(function (m) {
    m.addEventListener('click', function (e) {
      if (e.target.closest('a')) return;
      var key = (m.getAttribute('data-ev') || '').split(' ')[0];
      if (key) location.hash = '#note-' + key;
    });
  });
  window.addEventListener('hashchange', fromHash);
  fromHash();
})();
