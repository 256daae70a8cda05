// Irreversible one-click actions (approve, publish, open, award, sign, pay) carry
// data-confirm="<summary of what will happen>" on their form or button. Ask before submitting;
// without JavaScript the form still submits, and the server still checks every rule.
document.addEventListener(
  "submit",
  function (event) {
    var form = event.target;
    var button = event.submitter;
    var message =
      (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  },
  true
);
