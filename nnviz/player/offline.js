// Boots the player in the offline HTML file: the walk-through is inlined as JSON;
// #N in the address opens step N (N = steps + 1: the update animation) and follows it.
{
  const wt = JSON.parse(document.getElementById("nnviz-data").textContent);
  const fromHash = () => { const n = parseInt((location.hash || "").slice(1), 10); return isNaN(n) ? 0 : n - 1; };
  const player = render(document.getElementById("nnviz-player"), wt, {
    step: fromHash(), globalKeys: true, projector: document.body.classList.contains("projector")});
  player.onChange(i => {
    document.body.dataset.slide = String(i + 1);
    try { history.replaceState(null, "", "#" + (i + 1)); } catch (e) { /* some file: URLs refuse */ }
  });
  document.body.dataset.slide = String(player.current() + 1);
  window.addEventListener("hashchange", () => player.go(fromHash()));
  window.nnvizPlayer = player;
}
