export {
  moduleRequest as chat,
  moderatorRequest as mod,
  memberRequest as member,
} from '@waddlebot/core/testing';
