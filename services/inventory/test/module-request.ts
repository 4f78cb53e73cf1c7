export {
  moduleRequest as chat,
  moderatorRequest as mod,
  adminRequest as admin,
  memberRequest as member,
} from '@waddlebot/core/testing';
