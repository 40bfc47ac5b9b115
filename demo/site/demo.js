// The demo site's behaviour: co-browsing buttons through the Glance Visitor API, and the
// demo forms (handled here, so nothing is ever submitted anywhere).
(function () {
  'use strict';

  var startButton = document.getElementById('cb-start');
  var stopButton = document.getElementById('cb-stop');
  var codeLine = document.getElementById('cb-code-line');
  var code = document.getElementById('cb-code');
  var status = document.getElementById('cb-status');

  function say(text) {
    status.textContent = text;
  }

  function showSession(inSession) {
    startButton.hidden = inSession;
    stopButton.hidden = !inSession;
    codeLine.hidden = !inSession;
  }

  function visitorApi() {
    var glance = window.GLANCE;
    return glance && glance.Cobrowse && glance.Cobrowse.Visitor;
  }

  var visitor = visitorApi();
  if (!visitor) {
    startButton.disabled = true;
    say('Co-browsing is unavailable: the OpenCobrowse script did not load. Is the server running?');
  } else {
    visitor.addEventListener('sessionstarting', function () {
      say('Starting…');
    });
    visitor.addEventListener('sessionstart', function () {
      code.textContent = visitor.getKey() || '';
      showSession(true);
      say('Waiting for the agent to join.');
    });
    // After a page change inside a session: show the same code again.
    visitor.addEventListener('sessioncontinue', function () {
      code.textContent = visitor.getKey() || '';
      showSession(true);
    });
    visitor.addEventListener('agents', function (state) {
      var count = state && state.count ? state.count : 0;
      say(count === 0 ? 'Waiting for the agent to join.' : count === 1 ? 'An agent is viewing this page.' : count + ' agents are viewing this page.');
    });
    visitor.addEventListener('sessionend', function () {
      showSession(false);
      code.textContent = '';
      say('Co-browsing has ended.');
    });
    visitor.addEventListener('error', function (error) {
      say('Co-browsing problem: ' + ((error && (error.msg || error.code)) || 'unknown error'));
    });
    visitor.addEventListener('connection', function (event) {
      if (event && event.status === 'reconnecting') say('Connection lost — reconnecting…');
    });

    startButton.addEventListener('click', function () {
      say('Starting…');
      visitor.startSession('GLANCE_KEYTYPE_RANDOM');
    });
    stopButton.addEventListener('click', function () {
      visitor.stopSession();
    });

    if (visitor.inSession && visitor.inSession()) {
      code.textContent = visitor.getKey() || '';
      showSession(true);
    }
  }

  // Demo forms: answer in the page instead of submitting.
  var forms = [
    ['transfer', 'transfer-result', 'Transfer ready to review. (Demo: nothing was sent.)'],
    ['contact', 'contact-result', 'Thanks — we will get back to you. (Demo: nothing was sent.)'],
  ];
  forms.forEach(function (entry) {
    var form = document.getElementById(entry[0]);
    var result = document.getElementById(entry[1]);
    if (!form || !result) return;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      result.textContent = entry[2];
    });
  });
})();
