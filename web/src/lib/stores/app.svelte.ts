// Instance-wide state learnt at start.
class AppState {
  setupComplete = $state(true);
}
export const app = new AppState();
